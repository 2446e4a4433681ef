import type { UserRow } from "../../../db/database";

/** What a user's own API client sees about them (S8: explicit DTO, never hashes). */
export type UserDto = {
  id: string;
  displayName: string | null;
  phone: string | null;
  email: string | null;
  status: UserRow["status"];
  verificationLevel: number;
  referralCode: string;
  createdAt: string;
};

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    displayName: row.display_name,
    phone: row.phone,
    email: row.email,
    status: row.status,
    verificationLevel: row.verification_level,
    referralCode: row.referral_code,
    createdAt: row.created_at.toISOString(),
  };
}
