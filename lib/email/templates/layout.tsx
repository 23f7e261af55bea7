import { Body, Button, Container, Head, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import type { Locale } from "@/db/schema";
import { emailTranslator } from "./translator";

const styles = {
  body: { backgroundColor: "#f3f4f6", fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", margin: 0 },
  container: { backgroundColor: "#ffffff", color: "#111827", margin: "24px auto", maxWidth: "560px", padding: "24px 32px" },
  text: { fontSize: "15px", lineHeight: "24px", margin: "0 0 16px" },
  button: { backgroundColor: "#4f46e5", borderRadius: "6px", color: "#ffffff", fontSize: "15px", padding: "10px 18px", textDecoration: "none" },
  small: { color: "#4b5563", fontSize: "13px", lineHeight: "20px", margin: "0 0 8px", wordBreak: "break-all" as const },
  footer: { color: "#6b7280", fontSize: "12px", lineHeight: "18px", margin: 0 },
};

/** One paragraph of body copy in the shared email style. */
export function Paragraph({ children }: { children: ReactNode }) {
  return <Text style={styles.text}>{children}</Text>;
}

/** A grey box for the facts of an email (role and license, or what a purchase cost). */
export function Facts({ lines }: { lines: string[] }) {
  return (
    <Section style={{ backgroundColor: "#f9fafb", borderRadius: "6px", margin: "0 0 16px", padding: "12px 16px" }}>
      {lines.map((line) => (
        <Text key={line} style={{ ...styles.text, margin: "4px 0" }}>
          {line}
        </Text>
      ))}
    </Section>
  );
}

/**
 * The frame every Sally email shares: greeting, the caller's paragraphs, one action button with the link
 * repeated as text (for clients that block buttons; left out of the plain-text part, which already carries the
 * link after the button label), and a footer.
 */
export function EmailLayout(props: {
  locale: Locale;
  preview: string;
  action: { label: string; url: string };
  footer: string;
  children: ReactNode;
}) {
  const t = emailTranslator(props.locale);
  return (
    <Html lang={props.locale}>
      <Head />
      <Preview>{props.preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Paragraph>{t("layout.greeting")}</Paragraph>
          {props.children}
          <Section style={{ margin: "24px 0" }}>
            <Button href={props.action.url} style={styles.button}>
              {props.action.label}
            </Button>
          </Section>
          <Text style={styles.small} data-skip-in-text="true">
            {t("layout.linkFallback")} <Link href={props.action.url}>{props.action.url}</Link>
          </Text>
          <Hr style={{ borderColor: "#e5e7eb", margin: "24px 0 16px" }} />
          <Text style={styles.footer}>{props.footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}
