export * from "./enums";
export * from "./tenants";
export * from "./users";
export * from "./scim";
export * from "./activity";
export * from "./email";
export * from "./auth";
export * from "./rate-limits";
