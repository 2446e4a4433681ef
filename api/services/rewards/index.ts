export * from "./points";
export * from "./points-rules";
export * from "./referral-rules";
export * from "./referrals";
