export * from "./abuse";
export * from "./points";
export * from "./points-report";
export * from "./points-rules";
export * from "./redeem-for-purchase";
export * from "./referral-rules";
export * from "./referrals";
export * from "./tiers";
