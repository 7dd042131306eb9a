import { z } from "zod";

// Zod compiles its object parsers with `new Function` where eval is allowed, and probes for it on
// first use. Pages forbid eval in their Content-Security-Policy (/docs/security), so the probe
// would be blocked and reported: parse without compiling instead.
z.config({ jitless: true });
