import type { Logger } from "../logger";
import type { CredentialCache, Principal } from "../services/auth";
import type { ServiceContext } from "../services/context";

/** Per-request values set by middleware. */
export type AppEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    ctx: ServiceContext;
    principal: Principal;
    /** This process's kept bearer credentials (auth/credential-cache.ts); absent: read each time. */
    credentials: CredentialCache | undefined;
  };
};
