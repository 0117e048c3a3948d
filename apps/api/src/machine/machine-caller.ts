import type { Auth } from '../auth/authenticate.js';

/** The instance calling, as its token proves (see requireMachine). */
export type MachineCaller = Extract<Auth, { kind: 'machine' }>;
