export * from "./referral-rules";
export * from "./referrals";
export * from "./tiers";
