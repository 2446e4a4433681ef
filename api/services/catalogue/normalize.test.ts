import { describe, expect, it } from "vitest";
import { CABLE_PROVIDERS, DISCOS, NETWORKS } from "../vtu/provider";
import {
  bouquetSlug,
  CABLE_NAMES,
  canonicalDataKey,
  DISCO_NAMES,
  describeDataKey,
  describeDataPlan,
  NETWORK_NAMES,
  normalizeDataFamily,
  parseCableName,
  parseDataSizeMb,
  parseDiscoName,
  parseFamilyFromName,
  parseNetworkName,
  parseValidityDays,
} from "./normalize";

describe("parseDataSizeMb", () => {
  it.each([
    ["1GB", 1024],
    ["500MB", 500],
    ["1.5GB", 1536],
    ["2.5 GB", 2560],
    ["750 MB", 750],
    ["1TB", 1048576],
    ["1gb", 1024],
    ["10GB", 10240],
    ["0.5GB", 512],
    ["1,024MB", 1024],
    ["MTN 1GB SME - 30 days", 1024],
    ["N100 100MB - 24 hrs", 100],
    ["GLO 2.5GB Gifting - 2 days", 2560],
    ["Airtel 40MB Daily", 40],
    ["MTN 1.5GB (Corporate Gifting) - 30 Days", 1536],
    ["9mobile 11.5GB - 30 days", 11776],
    ["N1,000 1.5GB - 30 days", 1536],
  ])("%s → %d MB", (text, expected) => {
    expect(parseDataSizeMb(text)).toBe(expected);
  });

  it.each([
    "",
    "Unlimited",
    "MTN Special Offer",
    "1 Month",
    "100",
    "GB",
    "0GB",
    "MTN 1 GBP promo",
    "N100 - 24 hrs",
  ])("%j has no size", (text) => {
    expect(parseDataSizeMb(text)).toBeUndefined();
  });
});

describe("parseValidityDays", () => {
  it.each([
    ["30 Days", 30],
    ["30 days", 30],
    ["30days", 30],
    ["30D", 30],
    ["1 Month", 30],
    ["Monthly", 30],
    ["1month", 30],
    ["7days", 7],
    ["Weekly", 7],
    ["1 week", 7],
    ["2 weeks", 14],
    ["Bi-weekly", 14],
    ["24 hrs", 1],
    ["24hrs", 1],
    ["48 hours", 2],
    ["1 day", 1],
    ["Daily", 1],
    ["2 days", 2],
    ["3 months", 90],
    ["Quarterly", 90],
    ["1 year", 365],
    ["365 days", 365],
    ["Yearly", 365],
    ["MTN 1GB SME - 30 days", 30],
    ["N100 100MB - 24 hrs", 1],
    ["GLO 2.5GB Gifting - 2 days", 2],
    ["Airtel 1.5GB (7 Days) Awoof", 7],
    ["Nova (Dish) - 1 Month", 30],
    ["MTN 2GB Monthly Plan", 30],
  ])("%s → %d days", (text, expected) => {
    expect(parseValidityDays(text)).toBe(expected);
  });

  it.each([
    "",
    "MTN 1GB SME",
    "1GB",
    "1.5GB",
    "Unlimited",
    "0 days",
    // An hourly bundle is its own product: it must not share a key with a 1-day plan.
    "MTN 1GB 2 hrs",
    "Night plan 3hrs",
    "Data (today)",
  ])("%j has no validity", (text) => {
    expect(parseValidityDays(text)).toBeUndefined();
  });
});

describe("normalizeDataFamily", () => {
  it.each([
    ["CORPORATE GIFTING", "cg"],
    ["Corporate Gifting", "cg"],
    ["CG", "cg"],
    ["cg data", "cg"],
    ["SME", "sme"],
    ["sme", "sme"],
    ["SME DATA", "sme"],
    ["SME2", "sme2"],
    ["SME 2", "sme2"],
    ["SME SHARE", "sme2"],
    ["GIFTING", "gifting"],
    ["DIRECT", "gifting"],
    ["DATA SHARE", "share"],
    ["SHARE", "share"],
    ["AWOOF", "awoof"],
    ["SOCIAL BUNDLES", "social"],
    ["TALKMORE", "talkmore"],
    ["Talk More", "talkmore"],
    ["", "gifting"],
    ["   ", "gifting"],
    ["Night Plan", "night-plan"],
    ["YOUTUBE/Video", "youtube-video"],
  ])("%j → %s", (text, expected) => {
    expect(normalizeDataFamily(text)).toBe(expected);
  });
});

describe("parseFamilyFromName", () => {
  it.each([
    ["MTN 1GB SME - 30 days", "sme"],
    ["MTN SME 2GB - 30 days", "sme"],
    ["MTN SME 2 GB - 30 days", "sme"],
    ["MTN SME 2.5GB", "sme"],
    ["MTN SME2 1GB - 30 days", "sme2"],
    ["MTN 1GB SME 2 - 30 days", "sme2"],
    ["MTN 1GB SME Share", "sme2"],
    ["MTN 1.5GB Corporate Gifting - 30 days", "cg"],
    ["Airtel 500MB CG - 7 days", "cg"],
    ["GLO 1GB Gifting - 30 days", "gifting"],
    ["9mobile 1GB Direct - 30 days", "gifting"],
    ["MTN 1GB Data Share", "share"],
    ["MTN 1GB Awoof - 1 day", "awoof"],
    ["Airtel 1GB Social bundle", "social"],
    ["MTN Talkmore N500", "talkmore"],
  ])("%s → %s", (name, expected) => {
    expect(parseFamilyFromName(name)).toBe(expected);
  });

  it.each(["MTN 1GB - 30 days", "", "Glo 2GB Monthly", "Special Offer"])("%j has no family", (name) => {
    expect(parseFamilyFromName(name)).toBeUndefined();
  });
});

describe("parseNetworkName", () => {
  it.each([
    ["MTN", "mtn"],
    ["mtn", "mtn"],
    ["MTN NG", "mtn"],
    ["Airtel", "airtel"],
    ["AIRTEL", "airtel"],
    ["GLO", "glo"],
    ["Glo", "glo"],
    ["Globacom", "glo"],
    ["9mobile", "9mobile"],
    ["9MOBILE", "9mobile"],
    ["9 Mobile", "9mobile"],
    ["Etisalat", "9mobile"],
    ["T2", "9mobile"],
    ["9mobile (Etisalat)", "9mobile"],
    ["MTN 1GB SME - 30 days", "mtn"],
  ])("%s → %s", (text, expected) => {
    expect(parseNetworkName(text)).toBe(expected);
  });

  it.each(["", "Smile", "Ntel", "MAFAB", "Spectranet", "MTN or Airtel", "gloria", "T20", "mtnx"])(
    "%j is not one network",
    (text) => {
      expect(parseNetworkName(text)).toBeUndefined();
    },
  );
});

describe("parseDiscoName", () => {
  it.each([
    ["Ikeja Electric", "ikeja"],
    ["IKEDC", "ikeja"],
    ["ikeja-electric", "ikeja"],
    ["Eko Electricity", "eko"],
    ["EKEDC", "eko"],
    ["eko-electric", "eko"],
    ["Port Harcourt", "portharcourt"],
    ["Port Harcourt Electricity Distribution", "portharcourt"],
    ["portharcourt-electric", "portharcourt"],
    ["PHED", "portharcourt"],
    ["Abuja", "abuja"],
    ["AEDC", "abuja"],
    ["abuja-electric", "abuja"],
    ["Kano", "kano"],
    ["KEDCO", "kano"],
    ["Jos", "jos"],
    ["JED", "jos"],
    ["Kaduna", "kaduna"],
    ["KAEDCO", "kaduna"],
    ["Enugu", "enugu"],
    ["EEDC", "enugu"],
    ["Ibadan", "ibadan"],
    ["IBEDC", "ibadan"],
    ["Benin", "benin"],
    ["BEDC", "benin"],
    ["Yola", "yola"],
    ["YEDC", "yola"],
    ["Aba", "aba"],
    ["Aba Power", "aba"],
    ["aba-electric", "aba"],
    ["Ikeja Electric (IKEDC) Prepaid", "ikeja"],
  ])("%s → %s", (text, expected) => {
    expect(parseDiscoName(text)).toBe(expected);
  });

  it.each(["", "Lagos", "Electricity", "Abakaliki", "Kanoo", "Ikeja or Eko", "Josiah"])(
    "%j is not one DisCo",
    (text) => {
      expect(parseDiscoName(text)).toBeUndefined();
    },
  );

  it("reads back every display name", () => {
    for (const disco of DISCOS) {
      expect(parseDiscoName(DISCO_NAMES[disco])).toBe(disco);
    }
  });
});

describe("parseCableName", () => {
  it.each([
    ["DSTV", "dstv"],
    ["DStv", "dstv"],
    ["dstv", "dstv"],
    ["GOtv", "gotv"],
    ["GOTV", "gotv"],
    ["Startimes", "startimes"],
    ["StarTimes", "startimes"],
    ["Star Times", "startimes"],
    ["DStv Compact Plus", "dstv"],
  ])("%s → %s", (text, expected) => {
    expect(parseCableName(text)).toBe(expected);
  });

  it.each(["", "Showmax", "Netflix", "DStv and GOtv", "GOtvMax"])("%j is not one cable provider", (text) => {
    expect(parseCableName(text)).toBeUndefined();
  });

  it("reads back every display name", () => {
    for (const cable of CABLE_PROVIDERS) {
      expect(parseCableName(CABLE_NAMES[cable])).toBe(cable);
    }
  });
});

describe("bouquetSlug", () => {
  it.each([
    ["dstv", "DStv Compact Plus", "compact-plus"],
    ["dstv", "DStv Compact", "compact"],
    ["dstv", "DSTV PREMIUM", "premium"],
    ["dstv", "DStv Padi", "padi"],
    ["dstv", "Padi", "padi"],
    ["gotv", "GOtv Jinja", "jinja"],
    ["gotv", "GOtv Supa Plus", "supa-plus"],
    ["gotv", "GOTV MAX", "max"],
    ["startimes", "Nova (Dish) - 1 Month", "nova-dish-1-month"],
    ["startimes", "StarTimes Basic", "basic"],
    ["startimes", "Star Times Smart", "smart"],
    ["dstv", "DStv", "dstv"],
  ] as const)("%s %s → %s", (cable, name, expected) => {
    expect(bouquetSlug(cable, name)).toBe(expected);
  });
});

describe("canonicalDataKey and describeDataPlan", () => {
  it("builds the canonical key", () => {
    expect(canonicalDataKey({ network: "mtn", sizeMb: 1024, validityDays: 30, family: "sme" })).toBe(
      "data:mtn:1024mb:30d:sme",
    );
    expect(canonicalDataKey({ network: "9mobile", sizeMb: 500, validityDays: 1, family: "gifting" })).toBe(
      "data:9mobile:500mb:1d:gifting",
    );
  });

  it("gives the same key whichever way a provider names the plan", () => {
    const inlomax = {
      network: parseNetworkName("MTN"),
      sizeMb: parseDataSizeMb("1GB"),
      validityDays: parseValidityDays("30 Days"),
      family: normalizeDataFamily("SME"),
    };
    const name = "MTN 1GB SME - 30 days";
    const smeplug = {
      network: parseNetworkName(name),
      sizeMb: parseDataSizeMb(name),
      validityDays: parseValidityDays(name),
      family: parseFamilyFromName(name),
    };
    expect(smeplug).toEqual(inlomax);
  });

  it.each([
    [{ sizeMb: 1024, validityDays: 30, family: "sme" }, "1GB · 30 days · SME"],
    [{ sizeMb: 500, validityDays: 1, family: "gifting" }, "500MB · 1 day · Gifting"],
    [{ sizeMb: 1536, validityDays: 7, family: "cg" }, "1.5GB · 7 days · Corporate"],
    [{ sizeMb: 2560, validityDays: 2, family: "awoof" }, "2.5GB · 2 days · AWOOF"],
    [{ sizeMb: 1229, validityDays: 30, family: "sme2" }, "1.2GB · 30 days · SME2"],
    [{ sizeMb: 1048576, validityDays: 365, family: "share" }, "1TB · 365 days · SHARE"],
  ])("%j → %s", (plan, expected) => {
    expect(describeDataPlan(plan)).toBe(expected);
  });
});

describe("display names", () => {
  it("names every network, DisCo and cable provider", () => {
    expect(NETWORKS.map((network) => NETWORK_NAMES[network])).toEqual(["MTN", "Airtel", "Glo", "9mobile"]);
    expect(DISCO_NAMES.ikeja).toBe("Ikeja Electric (IKEDC)");
    expect(Object.keys(DISCO_NAMES).sort()).toEqual([...DISCOS].sort());
    expect(CABLE_PROVIDERS.map((cable) => CABLE_NAMES[cable])).toEqual(["DStv", "GOtv", "StarTimes"]);
  });

  it("reads back every network display name", () => {
    for (const network of NETWORKS) {
      expect(parseNetworkName(NETWORK_NAMES[network])).toBe(network);
    }
  });
});

describe("describeDataKey", () => {
  it("names a canonical data key as the menus do, and leaves anything else as it is", () => {
    expect(describeDataKey("data:mtn:1024mb:30d:sme")).toBe("1GB · 30 days · SME");
    expect(describeDataKey("data:glo:500mb:1d:cg")).toBe("500MB · 1 day · Corporate");
    expect(describeDataKey("custom-plan-7")).toBe("custom-plan-7");
  });
});
