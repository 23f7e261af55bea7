import { fuzzBadInput } from "./bad-input-fuzz";

fuzzBadInput("pglite");
