import type { Logger } from "../logger";
import type { ApiKeyRateLimiter, CredentialCache, Principal } from "../services/auth";
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
    /** This process's share of the API keys' rate limits (auth/api-key-rate-limit.ts); absent: not limited. */
    apiKeyLimiter: ApiKeyRateLimiter | undefined;
  };
};
