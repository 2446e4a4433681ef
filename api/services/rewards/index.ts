export * from "./referral-rules";
export * from "./referrals";
