/**
 * How long emailed links sign a user in. Each works once (its verification token is deleted on use). A link
 * asked for on the sign-in page is used within minutes, so it expires soon; an invitation arrives unasked and
 * may wait over a weekend, so it lives longer, and an expired one only means asking for a sign-in link.
 */
export const SIGN_IN_LINK_MINUTES = 15;
export const INVITATION_LINK_DAYS = 7;
