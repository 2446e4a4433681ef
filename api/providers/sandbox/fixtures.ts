import { DISCOS, type ProviderCatalogue } from "../../services/vtu/provider";

/**
 * The sandbox providers' own price list: the only place prices appear in code. Figures are
 * realistic for late 2026 so screens look like the real thing; they are synced into the catalogue
 * like any provider's.
 */
const naira = (n: number) => n * 100;

type DataFixture = [
  network: "mtn" | "airtel" | "glo" | "9mobile",
  sizeMb: number,
  days: number,
  family: string,
  costNaira: number,
];

const DATA: DataFixture[] = [
  ["mtn", 500, 30, "sme", 380],
  ["mtn", 1024, 30, "sme", 620],
  ["mtn", 2048, 30, "sme", 1240],
  ["mtn", 5120, 30, "sme", 3100],
  ["mtn", 1024, 7, "gifting", 780],
  ["mtn", 10240, 30, "cg", 5900],
  ["airtel", 500, 30, "cg", 390],
  ["airtel", 1024, 30, "cg", 640],
  ["airtel", 2048, 30, "cg", 1280],
  ["airtel", 10240, 30, "gifting", 6100],
  ["glo", 1024, 30, "cg", 450],
  ["glo", 2048, 30, "cg", 900],
  ["glo", 5120, 30, "cg", 2250],
  ["9mobile", 1024, 30, "cg", 560],
  ["9mobile", 2048, 30, "cg", 1120],
];

const CABLE: ["dstv" | "gotv" | "startimes", string, number][] = [
  ["dstv", "Padi", 4_400],
  ["dstv", "Yanga", 6_000],
  ["dstv", "Confam", 11_000],
  ["dstv", "Compact", 19_000],
  ["dstv", "Compact Plus", 30_000],
  ["dstv", "Premium", 44_500],
  ["gotv", "Smallie", 1_900],
  ["gotv", "Jinja", 3_900],
  ["gotv", "Jolli", 5_800],
  ["gotv", "Max", 8_500],
  ["gotv", "Supa", 11_400],
  ["startimes", "Nova", 1_900],
  ["startimes", "Basic", 3_700],
  ["startimes", "Smart", 4_700],
  ["startimes", "Classic", 5_500],
  ["startimes", "Super", 9_000],
];

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

/** The primary sandbox ("like Inlomax"): every service. */
export function primaryCatalogue(): ProviderCatalogue {
  return {
    airtime: [
      { network: "mtn", providerProductId: "1", discountBps: 300 },
      { network: "airtel", providerProductId: "2", discountBps: 340 },
      { network: "glo", providerProductId: "3", discountBps: 400 },
      { network: "9mobile", providerProductId: "4", discountBps: 350 },
    ],
    data: DATA.map(([network, sizeMb, validityDays, family, cost], i) => ({
      network,
      providerProductId: `D${100 + i}`,
      name: `${network.toUpperCase()} ${sizeMb >= 1024 ? `${sizeMb / 1024}GB` : `${sizeMb}MB`} ${family.toUpperCase()} ${validityDays} days`,
      sizeMb,
      validityDays,
      family,
      costKobo: naira(cost),
    })),
    cable: CABLE.map(([cable, name, amount], i) => ({
      cable,
      providerProductId: `C${200 + i}`,
      name,
      slug: slug(name),
      amountKobo: naira(amount),
      discountBps: 100,
    })),
    electricity: DISCOS.map((disco, i) => ({ disco, providerProductId: `E${300 + i}`, discountBps: 50 })),
  };
}

/** The fallback sandbox ("like SME Plug"): airtime and data only, a little dearer. */
export function fallbackCatalogue(): ProviderCatalogue {
  const primary = primaryCatalogue();
  return {
    airtime: primary.airtime.map((a, i) => ({ ...a, providerProductId: String(i + 1), discountBps: 200 })),
    data: primary.data.map((d, i) => ({
      ...d,
      providerProductId: String(500 + i),
      costKobo: d.costKobo + naira(15),
    })),
    cable: [],
    electricity: [],
  };
}

/** Bouquet a sandbox smartcard is "currently on", per cable provider. */
export const SANDBOX_CURRENT_BOUQUET = { dstv: "Compact", gotv: "Jinja", startimes: "Nova" } as const;

export function bouquetPriceKobo(cable: "dstv" | "gotv" | "startimes", name: string): number | undefined {
  const found = CABLE.find(([c, n]) => c === cable && n === name);
  return found ? naira(found[2]) : undefined;
}
