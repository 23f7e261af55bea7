import { handlers } from "@/lib/auth";

// next-auth's endpoints: CSRF, the email sign-in request, the link callback, session and sign-out.
export const { GET, POST } = handlers;
