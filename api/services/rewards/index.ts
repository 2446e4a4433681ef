export * from "./points";
export * from "./points-rules";
export * from "./redeem-for-purchase";
export * from "./referral-rules";
export * from "./referrals";
