import { signOut } from "@/lib/auth";

export function SignOutButton() {
  return (
    <form
      action={async () => {
        "use server";
        await signOut({ redirectTo: "/sign-in" });
      }}
    >
      <button type="submit" className="text-sm font-medium text-gray-600 underline hover:text-gray-900">
        Sign out
      </button>
    </form>
  );
}
