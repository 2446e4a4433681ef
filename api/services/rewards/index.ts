export * from "./referrals";
