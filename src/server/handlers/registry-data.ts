// Holds the advertised version ranges computed by the registry (kept apart to avoid an import cycle).

export interface AdvertisedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

let advertised: AdvertisedApi[] = [];

export function setAdvertisedApiVersions(list: AdvertisedApi[]): void {
  advertised = list;
}

export function advertisedApiVersions(): AdvertisedApi[] {
  return advertised;
}
