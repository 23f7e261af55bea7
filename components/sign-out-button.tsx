import { getTranslations } from "next-intl/server";
import { signOut } from "@/lib/auth";

export async function SignOutButton() {
  const t = await getTranslations("Common");
  return (
    <form
      action={async () => {
        "use server";
        await signOut({ redirectTo: "/sign-in" });
      }}
    >
      <button type="submit" className="text-sm font-medium text-gray-700 underline hover:text-gray-900">
        {t("signOut")}
      </button>
    </form>
  );
}
