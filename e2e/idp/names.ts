// Word lists for the generated directory: given and family names from across Europe (with their diacritics),
// departments with their job titles, office sites and project names.

export const givenNames = [
  "Ada", "Adélaïde", "Agnieszka", "Ahmet", "Aino", "Åsa", "Benoît", "Björn", "Bogdan", "Chloé", "Ciarán", "Dagný",
  "Dávid", "Elif", "Élodie", "Emil", "Eñaut", "Fátima", "François", "Grzegorz", "Guðrún", "Hélène", "Ingrid", "Iñaki",
  "Jürgen", "Jiří", "Joël", "Júlia", "Kåre", "Kübra", "Łucja", "Lukáš", "Maëlle", "Małgorzata", "Marta", "Mónica",
  "Nikolaj", "Noémie", "Oğuz", "Øystein", "Pál", "Paweł", "Raphaël", "Renée", "Sérgio", "Siobhán", "Søren", "Stéphane",
  "Tomáš", "Þóra", "Ulla", "Vojtěch", "Wiebke", "Xavière", "Yusuf", "Zoë", "Zdeněk", "Ángel", "Ömer", "Şebnem",
] as const;

export const familyNames = [
  "Åberg", "Alves", "Bäcker", "Bergström", "Błaszczyk", "Brontë", "Çelik", "Černý", "Dąbrowska", "Duchêne", "Dvořák",
  "Éclair", "Fernández", "Gómez", "Gündoğan", "Hämäläinen", "Heß", "Ibáñez", "Jørgensen", "Kovač", "Kowalczyk", "Lefèvre",
  "López", "Løvås", "Mäkelä", "Müller", "Núñez", "Nowak", "Ó Briain", "Olsson", "Pérez", "Petrović", "Quiñones",
  "Ramírez", "Rønning", "Schäfer", "Schröder", "Sørensen", "Straße", "Szabó", "Thérèse", "Türk", "Ulrich", "Vázquez",
  "Wójcik", "Wüst", "Yılmaz", "Zając", "Żukowski", "García-Márquez", "D'Argent", "van der Berg",
] as const;

export const departments = {
  Engineering: ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "QA Engineer", "Site Reliability Engineer"],
  Sales: ["Account Executive", "Sales Development Representative", "Key Account Manager"],
  Marketing: ["Content Marketing Manager", "Product Marketing Manager", "Designer"],
  Finance: ["Accountant", "Financial Analyst", "Controller"],
  "Customer Success": ["Customer Success Manager", "Support Specialist", "Onboarding Specialist"],
  "People & Culture": ["HR Business Partner", "Recruiter", "People Operations Specialist"],
  Legal: ["Legal Counsel", "Paralegal"],
  Operations: ["Operations Analyst", "Office Manager", "IT Administrator"],
} as const satisfies Record<string, readonly string[]>;

export type Department = keyof typeof departments;
export const departmentNames = Object.keys(departments) as Department[];

export const sites = ["Zürich", "München", "Kraków", "Malmö", "Besançon", "Lisboa", "Dublin", "Reykjavík", "İstanbul", "Tromsø"] as const;

export const projects = [
  "Aurora", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Glacier", "Harbor", "Indigo", "Juniper", "Krypton", "Lumen",
  "Meridian", "Nimbus", "Onyx", "Polaris", "Quartz", "Raven", "Sierra", "Tundra", "Umbra", "Vega", "Willow", "Zephyr",
] as const;

const transliterations: Record<string, string> = { ß: "ss", ø: "o", Ø: "o", æ: "ae", Æ: "ae", ł: "l", Ł: "l", đ: "d", þ: "th", Þ: "th", ð: "d", ı: "i", œ: "oe" };

/** The ASCII local-part form of a name, as mail systems derive addresses: "Łucja Dąbrowska" → "lucja.dabrowska". */
export function emailLocalPart(givenName: string, familyName: string): string {
  const fold = (s: string) =>
    [...s]
      .map((ch) => transliterations[ch] ?? ch)
      .join("")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "");
  return `${fold(givenName)}.${fold(familyName)}`;
}
