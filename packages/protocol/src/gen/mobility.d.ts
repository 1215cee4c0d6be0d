import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface PricingSegment {
    start: number;
    rate: number;
    interval: number;
    end: number;
}
export declare namespace PricingSegment {
    const codec: () => Codec<PricingSegment>;
    interface PricingSegmentStartFieldEvent {
        field: '$.start';
        value: number;
    }
    interface PricingSegmentRateFieldEvent {
        field: '$.rate';
        value: number;
    }
    interface PricingSegmentIntervalFieldEvent {
        field: '$.interval';
        value: number;
    }
    interface PricingSegmentEndFieldEvent {
        field: '$.end';
        value: number;
    }
    function encode(obj: Partial<PricingSegment>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PricingSegment>): PricingSegment;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PricingSegment>): Generator<PricingSegmentStartFieldEvent | PricingSegmentRateFieldEvent | PricingSegmentIntervalFieldEvent | PricingSegmentEndFieldEvent>;
}
export interface PricingPlan {
    planId: string;
    price: number;
    perMinPricing: PricingSegment[];
    perKmPricing: PricingSegment[];
    maxPrice: number;
}
export declare namespace PricingPlan {
    const codec: () => Codec<PricingPlan>;
    interface PricingPlanPlanIdFieldEvent {
        field: '$.planId';
        value: string;
    }
    interface PricingPlanPriceFieldEvent {
        field: '$.price';
        value: number;
    }
    interface PricingPlanPerMinPricingStartFieldEvent {
        field: '$.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface PricingPlanPerMinPricingRateFieldEvent {
        field: '$.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface PricingPlanPerMinPricingIntervalFieldEvent {
        field: '$.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface PricingPlanPerMinPricingEndFieldEvent {
        field: '$.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface PricingPlanPerKmPricingStartFieldEvent {
        field: '$.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface PricingPlanPerKmPricingRateFieldEvent {
        field: '$.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface PricingPlanPerKmPricingIntervalFieldEvent {
        field: '$.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface PricingPlanPerKmPricingEndFieldEvent {
        field: '$.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface PricingPlanMaxPriceFieldEvent {
        field: '$.maxPrice';
        value: number;
    }
    function encode(obj: Partial<PricingPlan>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PricingPlan>): PricingPlan;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PricingPlan>): Generator<PricingPlanPlanIdFieldEvent | PricingPlanPriceFieldEvent | PricingPlanPerMinPricingStartFieldEvent | PricingPlanPerMinPricingRateFieldEvent | PricingPlanPerMinPricingIntervalFieldEvent | PricingPlanPerMinPricingEndFieldEvent | PricingPlanPerKmPricingStartFieldEvent | PricingPlanPerKmPricingRateFieldEvent | PricingPlanPerKmPricingIntervalFieldEvent | PricingPlanPerKmPricingEndFieldEvent | PricingPlanMaxPriceFieldEvent>;
}
export interface CancellationTerms {
    freeUntilS: number;
    feeNanos: number;
}
export declare namespace CancellationTerms {
    const codec: () => Codec<CancellationTerms>;
    interface CancellationTermsFreeUntilSFieldEvent {
        field: '$.freeUntilS';
        value: number;
    }
    interface CancellationTermsFeeNanosFieldEvent {
        field: '$.feeNanos';
        value: number;
    }
    function encode(obj: Partial<CancellationTerms>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancellationTerms>): CancellationTerms;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancellationTerms>): Generator<CancellationTermsFreeUntilSFieldEvent | CancellationTermsFeeNanosFieldEvent>;
}
export interface ServiceOffer {
    version: number;
    district: string;
    provider: Uint8Array<ArrayBuffer>;
    seq: number;
    issuedAt: number;
    validUntil: number;
    mode: string;
    assetId: string;
    zones: string[];
    availableFrom: number;
    availableUntil: number;
    capacity: number;
    socWh: number;
    rangeM: number;
    pricing?: PricingPlan;
    co2GPerKm: number;
    agencyId: string;
    addrs: Uint8Array<ArrayBuffer>[];
    latE6: number;
    lonE6: number;
    cancellation?: CancellationTerms;
}
export declare namespace ServiceOffer {
    const codec: () => Codec<ServiceOffer>;
    interface ServiceOfferVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface ServiceOfferDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface ServiceOfferProviderFieldEvent {
        field: '$.provider';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ServiceOfferSeqFieldEvent {
        field: '$.seq';
        value: number;
    }
    interface ServiceOfferIssuedAtFieldEvent {
        field: '$.issuedAt';
        value: number;
    }
    interface ServiceOfferValidUntilFieldEvent {
        field: '$.validUntil';
        value: number;
    }
    interface ServiceOfferModeFieldEvent {
        field: '$.mode';
        value: string;
    }
    interface ServiceOfferAssetIdFieldEvent {
        field: '$.assetId';
        value: string;
    }
    interface ServiceOfferZonesFieldEvent {
        field: '$.zones[]';
        index: number;
        value: string;
    }
    interface ServiceOfferAvailableFromFieldEvent {
        field: '$.availableFrom';
        value: number;
    }
    interface ServiceOfferAvailableUntilFieldEvent {
        field: '$.availableUntil';
        value: number;
    }
    interface ServiceOfferCapacityFieldEvent {
        field: '$.capacity';
        value: number;
    }
    interface ServiceOfferSocWhFieldEvent {
        field: '$.socWh';
        value: number;
    }
    interface ServiceOfferRangeMFieldEvent {
        field: '$.rangeM';
        value: number;
    }
    interface ServiceOfferPricingPlanIdFieldEvent {
        field: '$.pricing.planId';
        value: string;
    }
    interface ServiceOfferPricingPriceFieldEvent {
        field: '$.pricing.price';
        value: number;
    }
    interface ServiceOfferPricingPerMinPricingStartFieldEvent {
        field: '$.pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerMinPricingRateFieldEvent {
        field: '$.pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerMinPricingIntervalFieldEvent {
        field: '$.pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerMinPricingEndFieldEvent {
        field: '$.pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerKmPricingStartFieldEvent {
        field: '$.pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerKmPricingRateFieldEvent {
        field: '$.pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerKmPricingIntervalFieldEvent {
        field: '$.pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingPerKmPricingEndFieldEvent {
        field: '$.pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface ServiceOfferPricingMaxPriceFieldEvent {
        field: '$.pricing.maxPrice';
        value: number;
    }
    interface ServiceOfferCo2GPerKmFieldEvent {
        field: '$.co2GPerKm';
        value: number;
    }
    interface ServiceOfferAgencyIdFieldEvent {
        field: '$.agencyId';
        value: string;
    }
    interface ServiceOfferAddrsFieldEvent {
        field: '$.addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface ServiceOfferLatE6FieldEvent {
        field: '$.latE6';
        value: number;
    }
    interface ServiceOfferLonE6FieldEvent {
        field: '$.lonE6';
        value: number;
    }
    interface ServiceOfferCancellationFreeUntilSFieldEvent {
        field: '$.cancellation.freeUntilS';
        value: number;
    }
    interface ServiceOfferCancellationFeeNanosFieldEvent {
        field: '$.cancellation.feeNanos';
        value: number;
    }
    function encode(obj: Partial<ServiceOffer>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ServiceOffer>): ServiceOffer;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ServiceOffer>): Generator<ServiceOfferVersionFieldEvent | ServiceOfferDistrictFieldEvent | ServiceOfferProviderFieldEvent | ServiceOfferSeqFieldEvent | ServiceOfferIssuedAtFieldEvent | ServiceOfferValidUntilFieldEvent | ServiceOfferModeFieldEvent | ServiceOfferAssetIdFieldEvent | ServiceOfferZonesFieldEvent | ServiceOfferAvailableFromFieldEvent | ServiceOfferAvailableUntilFieldEvent | ServiceOfferCapacityFieldEvent | ServiceOfferSocWhFieldEvent | ServiceOfferRangeMFieldEvent | ServiceOfferPricingPlanIdFieldEvent | ServiceOfferPricingPriceFieldEvent | ServiceOfferPricingPerMinPricingStartFieldEvent | ServiceOfferPricingPerMinPricingRateFieldEvent | ServiceOfferPricingPerMinPricingIntervalFieldEvent | ServiceOfferPricingPerMinPricingEndFieldEvent | ServiceOfferPricingPerKmPricingStartFieldEvent | ServiceOfferPricingPerKmPricingRateFieldEvent | ServiceOfferPricingPerKmPricingIntervalFieldEvent | ServiceOfferPricingPerKmPricingEndFieldEvent | ServiceOfferPricingMaxPriceFieldEvent | ServiceOfferCo2GPerKmFieldEvent | ServiceOfferAgencyIdFieldEvent | ServiceOfferAddrsFieldEvent | ServiceOfferLatE6FieldEvent | ServiceOfferLonE6FieldEvent | ServiceOfferCancellationFreeUntilSFieldEvent | ServiceOfferCancellationFeeNanosFieldEvent>;
}
export interface QuoteRequest {
    version: number;
    district: string;
    id: Uint8Array<ArrayBuffer>;
    traveller: Uint8Array<ArrayBuffer>;
    fromZone: string;
    toZone: string;
    departAfter: number;
    arriveBy: number;
    travellers: number;
    modes: string[];
    maxWalkingM: number;
    accessibility: string[];
    expiresAt: number;
}
export declare namespace QuoteRequest {
    const codec: () => Codec<QuoteRequest>;
    interface QuoteRequestVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface QuoteRequestDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface QuoteRequestIdFieldEvent {
        field: '$.id';
        value: Uint8Array<ArrayBuffer>;
    }
    interface QuoteRequestTravellerFieldEvent {
        field: '$.traveller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface QuoteRequestFromZoneFieldEvent {
        field: '$.fromZone';
        value: string;
    }
    interface QuoteRequestToZoneFieldEvent {
        field: '$.toZone';
        value: string;
    }
    interface QuoteRequestDepartAfterFieldEvent {
        field: '$.departAfter';
        value: number;
    }
    interface QuoteRequestArriveByFieldEvent {
        field: '$.arriveBy';
        value: number;
    }
    interface QuoteRequestTravellersFieldEvent {
        field: '$.travellers';
        value: number;
    }
    interface QuoteRequestModesFieldEvent {
        field: '$.modes[]';
        index: number;
        value: string;
    }
    interface QuoteRequestMaxWalkingMFieldEvent {
        field: '$.maxWalkingM';
        value: number;
    }
    interface QuoteRequestAccessibilityFieldEvent {
        field: '$.accessibility[]';
        index: number;
        value: string;
    }
    interface QuoteRequestExpiresAtFieldEvent {
        field: '$.expiresAt';
        value: number;
    }
    function encode(obj: Partial<QuoteRequest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QuoteRequest>): QuoteRequest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QuoteRequest>): Generator<QuoteRequestVersionFieldEvent | QuoteRequestDistrictFieldEvent | QuoteRequestIdFieldEvent | QuoteRequestTravellerFieldEvent | QuoteRequestFromZoneFieldEvent | QuoteRequestToZoneFieldEvent | QuoteRequestDepartAfterFieldEvent | QuoteRequestArriveByFieldEvent | QuoteRequestTravellersFieldEvent | QuoteRequestModesFieldEvent | QuoteRequestMaxWalkingMFieldEvent | QuoteRequestAccessibilityFieldEvent | QuoteRequestExpiresAtFieldEvent>;
}
export interface QuotedLeg {
    legId: string;
    mode: string;
    assetId: string;
    fromLatE6: number;
    fromLonE6: number;
    toLatE6: number;
    toLonE6: number;
    availableFrom: number;
    availableUntil: number;
    durationS: number;
    distanceM: number;
    price: number;
    co2G: number;
    pricing?: PricingPlan;
    cancellation?: CancellationTerms;
}
export declare namespace QuotedLeg {
    const codec: () => Codec<QuotedLeg>;
    interface QuotedLegLegIdFieldEvent {
        field: '$.legId';
        value: string;
    }
    interface QuotedLegModeFieldEvent {
        field: '$.mode';
        value: string;
    }
    interface QuotedLegAssetIdFieldEvent {
        field: '$.assetId';
        value: string;
    }
    interface QuotedLegFromLatE6FieldEvent {
        field: '$.fromLatE6';
        value: number;
    }
    interface QuotedLegFromLonE6FieldEvent {
        field: '$.fromLonE6';
        value: number;
    }
    interface QuotedLegToLatE6FieldEvent {
        field: '$.toLatE6';
        value: number;
    }
    interface QuotedLegToLonE6FieldEvent {
        field: '$.toLonE6';
        value: number;
    }
    interface QuotedLegAvailableFromFieldEvent {
        field: '$.availableFrom';
        value: number;
    }
    interface QuotedLegAvailableUntilFieldEvent {
        field: '$.availableUntil';
        value: number;
    }
    interface QuotedLegDurationSFieldEvent {
        field: '$.durationS';
        value: number;
    }
    interface QuotedLegDistanceMFieldEvent {
        field: '$.distanceM';
        value: number;
    }
    interface QuotedLegPriceFieldEvent {
        field: '$.price';
        value: number;
    }
    interface QuotedLegCo2GFieldEvent {
        field: '$.co2G';
        value: number;
    }
    interface QuotedLegPricingPlanIdFieldEvent {
        field: '$.pricing.planId';
        value: string;
    }
    interface QuotedLegPricingPriceFieldEvent {
        field: '$.pricing.price';
        value: number;
    }
    interface QuotedLegPricingPerMinPricingStartFieldEvent {
        field: '$.pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerMinPricingRateFieldEvent {
        field: '$.pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerMinPricingIntervalFieldEvent {
        field: '$.pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerMinPricingEndFieldEvent {
        field: '$.pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerKmPricingStartFieldEvent {
        field: '$.pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerKmPricingRateFieldEvent {
        field: '$.pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerKmPricingIntervalFieldEvent {
        field: '$.pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface QuotedLegPricingPerKmPricingEndFieldEvent {
        field: '$.pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface QuotedLegPricingMaxPriceFieldEvent {
        field: '$.pricing.maxPrice';
        value: number;
    }
    interface QuotedLegCancellationFreeUntilSFieldEvent {
        field: '$.cancellation.freeUntilS';
        value: number;
    }
    interface QuotedLegCancellationFeeNanosFieldEvent {
        field: '$.cancellation.feeNanos';
        value: number;
    }
    function encode(obj: Partial<QuotedLeg>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QuotedLeg>): QuotedLeg;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QuotedLeg>): Generator<QuotedLegLegIdFieldEvent | QuotedLegModeFieldEvent | QuotedLegAssetIdFieldEvent | QuotedLegFromLatE6FieldEvent | QuotedLegFromLonE6FieldEvent | QuotedLegToLatE6FieldEvent | QuotedLegToLonE6FieldEvent | QuotedLegAvailableFromFieldEvent | QuotedLegAvailableUntilFieldEvent | QuotedLegDurationSFieldEvent | QuotedLegDistanceMFieldEvent | QuotedLegPriceFieldEvent | QuotedLegCo2GFieldEvent | QuotedLegPricingPlanIdFieldEvent | QuotedLegPricingPriceFieldEvent | QuotedLegPricingPerMinPricingStartFieldEvent | QuotedLegPricingPerMinPricingRateFieldEvent | QuotedLegPricingPerMinPricingIntervalFieldEvent | QuotedLegPricingPerMinPricingEndFieldEvent | QuotedLegPricingPerKmPricingStartFieldEvent | QuotedLegPricingPerKmPricingRateFieldEvent | QuotedLegPricingPerKmPricingIntervalFieldEvent | QuotedLegPricingPerKmPricingEndFieldEvent | QuotedLegPricingMaxPriceFieldEvent | QuotedLegCancellationFreeUntilSFieldEvent | QuotedLegCancellationFeeNanosFieldEvent>;
}
export interface Quote {
    version: number;
    request: Uint8Array<ArrayBuffer>;
    provider: Uint8Array<ArrayBuffer>;
    traveller: Uint8Array<ArrayBuffer>;
    legs: QuotedLeg[];
    issuedAt: number;
    expiresAt: number;
}
export declare namespace Quote {
    const codec: () => Codec<Quote>;
    interface QuoteVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface QuoteRequestFieldEvent {
        field: '$.request';
        value: Uint8Array<ArrayBuffer>;
    }
    interface QuoteProviderFieldEvent {
        field: '$.provider';
        value: Uint8Array<ArrayBuffer>;
    }
    interface QuoteTravellerFieldEvent {
        field: '$.traveller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface QuoteLegsLegIdFieldEvent {
        field: '$.legs[].legId';
        value: string;
        index: number;
    }
    interface QuoteLegsModeFieldEvent {
        field: '$.legs[].mode';
        value: string;
        index: number;
    }
    interface QuoteLegsAssetIdFieldEvent {
        field: '$.legs[].assetId';
        value: string;
        index: number;
    }
    interface QuoteLegsFromLatE6FieldEvent {
        field: '$.legs[].fromLatE6';
        value: number;
        index: number;
    }
    interface QuoteLegsFromLonE6FieldEvent {
        field: '$.legs[].fromLonE6';
        value: number;
        index: number;
    }
    interface QuoteLegsToLatE6FieldEvent {
        field: '$.legs[].toLatE6';
        value: number;
        index: number;
    }
    interface QuoteLegsToLonE6FieldEvent {
        field: '$.legs[].toLonE6';
        value: number;
        index: number;
    }
    interface QuoteLegsAvailableFromFieldEvent {
        field: '$.legs[].availableFrom';
        value: number;
        index: number;
    }
    interface QuoteLegsAvailableUntilFieldEvent {
        field: '$.legs[].availableUntil';
        value: number;
        index: number;
    }
    interface QuoteLegsDurationSFieldEvent {
        field: '$.legs[].durationS';
        value: number;
        index: number;
    }
    interface QuoteLegsDistanceMFieldEvent {
        field: '$.legs[].distanceM';
        value: number;
        index: number;
    }
    interface QuoteLegsPriceFieldEvent {
        field: '$.legs[].price';
        value: number;
        index: number;
    }
    interface QuoteLegsCo2GFieldEvent {
        field: '$.legs[].co2G';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPlanIdFieldEvent {
        field: '$.legs[].pricing.planId';
        value: string;
        index: number;
    }
    interface QuoteLegsPricingPriceFieldEvent {
        field: '$.legs[].pricing.price';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerMinPricingStartFieldEvent {
        field: '$.legs[].pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerMinPricingRateFieldEvent {
        field: '$.legs[].pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerMinPricingIntervalFieldEvent {
        field: '$.legs[].pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerMinPricingEndFieldEvent {
        field: '$.legs[].pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerKmPricingStartFieldEvent {
        field: '$.legs[].pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerKmPricingRateFieldEvent {
        field: '$.legs[].pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerKmPricingIntervalFieldEvent {
        field: '$.legs[].pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingPerKmPricingEndFieldEvent {
        field: '$.legs[].pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface QuoteLegsPricingMaxPriceFieldEvent {
        field: '$.legs[].pricing.maxPrice';
        value: number;
        index: number;
    }
    interface QuoteLegsCancellationFreeUntilSFieldEvent {
        field: '$.legs[].cancellation.freeUntilS';
        value: number;
        index: number;
    }
    interface QuoteLegsCancellationFeeNanosFieldEvent {
        field: '$.legs[].cancellation.feeNanos';
        value: number;
        index: number;
    }
    interface QuoteIssuedAtFieldEvent {
        field: '$.issuedAt';
        value: number;
    }
    interface QuoteExpiresAtFieldEvent {
        field: '$.expiresAt';
        value: number;
    }
    function encode(obj: Partial<Quote>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Quote>): Quote;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Quote>): Generator<QuoteVersionFieldEvent | QuoteRequestFieldEvent | QuoteProviderFieldEvent | QuoteTravellerFieldEvent | QuoteLegsLegIdFieldEvent | QuoteLegsModeFieldEvent | QuoteLegsAssetIdFieldEvent | QuoteLegsFromLatE6FieldEvent | QuoteLegsFromLonE6FieldEvent | QuoteLegsToLatE6FieldEvent | QuoteLegsToLonE6FieldEvent | QuoteLegsAvailableFromFieldEvent | QuoteLegsAvailableUntilFieldEvent | QuoteLegsDurationSFieldEvent | QuoteLegsDistanceMFieldEvent | QuoteLegsPriceFieldEvent | QuoteLegsCo2GFieldEvent | QuoteLegsPricingPlanIdFieldEvent | QuoteLegsPricingPriceFieldEvent | QuoteLegsPricingPerMinPricingStartFieldEvent | QuoteLegsPricingPerMinPricingRateFieldEvent | QuoteLegsPricingPerMinPricingIntervalFieldEvent | QuoteLegsPricingPerMinPricingEndFieldEvent | QuoteLegsPricingPerKmPricingStartFieldEvent | QuoteLegsPricingPerKmPricingRateFieldEvent | QuoteLegsPricingPerKmPricingIntervalFieldEvent | QuoteLegsPricingPerKmPricingEndFieldEvent | QuoteLegsPricingMaxPriceFieldEvent | QuoteLegsCancellationFreeUntilSFieldEvent | QuoteLegsCancellationFeeNanosFieldEvent | QuoteIssuedAtFieldEvent | QuoteExpiresAtFieldEvent>;
}
export interface LegTerms {
    version: number;
    district: string;
    package: Uint8Array<ArrayBuffer>;
    legId: string;
    traveller: Uint8Array<ArrayBuffer>;
    provider: Uint8Array<ArrayBuffer>;
    mode: string;
    resource: string;
    from: number;
    to: number;
    units: number;
    departureTime: number;
    arrivalTime: number;
    price: number;
    pricing?: PricingPlan;
    cancellation?: CancellationTerms;
    fromStopId: string;
    toStopId: string;
    distanceM: number;
    co2G: number;
    toLatE6: number;
    toLonE6: number;
}
export declare namespace LegTerms {
    const codec: () => Codec<LegTerms>;
    interface LegTermsVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface LegTermsDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface LegTermsPackageFieldEvent {
        field: '$.package';
        value: Uint8Array<ArrayBuffer>;
    }
    interface LegTermsLegIdFieldEvent {
        field: '$.legId';
        value: string;
    }
    interface LegTermsTravellerFieldEvent {
        field: '$.traveller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface LegTermsProviderFieldEvent {
        field: '$.provider';
        value: Uint8Array<ArrayBuffer>;
    }
    interface LegTermsModeFieldEvent {
        field: '$.mode';
        value: string;
    }
    interface LegTermsResourceFieldEvent {
        field: '$.resource';
        value: string;
    }
    interface LegTermsFromFieldEvent {
        field: '$.from';
        value: number;
    }
    interface LegTermsToFieldEvent {
        field: '$.to';
        value: number;
    }
    interface LegTermsUnitsFieldEvent {
        field: '$.units';
        value: number;
    }
    interface LegTermsDepartureTimeFieldEvent {
        field: '$.departureTime';
        value: number;
    }
    interface LegTermsArrivalTimeFieldEvent {
        field: '$.arrivalTime';
        value: number;
    }
    interface LegTermsPriceFieldEvent {
        field: '$.price';
        value: number;
    }
    interface LegTermsPricingPlanIdFieldEvent {
        field: '$.pricing.planId';
        value: string;
    }
    interface LegTermsPricingPriceFieldEvent {
        field: '$.pricing.price';
        value: number;
    }
    interface LegTermsPricingPerMinPricingStartFieldEvent {
        field: '$.pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerMinPricingRateFieldEvent {
        field: '$.pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerMinPricingIntervalFieldEvent {
        field: '$.pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerMinPricingEndFieldEvent {
        field: '$.pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerKmPricingStartFieldEvent {
        field: '$.pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerKmPricingRateFieldEvent {
        field: '$.pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerKmPricingIntervalFieldEvent {
        field: '$.pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface LegTermsPricingPerKmPricingEndFieldEvent {
        field: '$.pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface LegTermsPricingMaxPriceFieldEvent {
        field: '$.pricing.maxPrice';
        value: number;
    }
    interface LegTermsCancellationFreeUntilSFieldEvent {
        field: '$.cancellation.freeUntilS';
        value: number;
    }
    interface LegTermsCancellationFeeNanosFieldEvent {
        field: '$.cancellation.feeNanos';
        value: number;
    }
    interface LegTermsFromStopIdFieldEvent {
        field: '$.fromStopId';
        value: string;
    }
    interface LegTermsToStopIdFieldEvent {
        field: '$.toStopId';
        value: string;
    }
    interface LegTermsDistanceMFieldEvent {
        field: '$.distanceM';
        value: number;
    }
    interface LegTermsCo2GFieldEvent {
        field: '$.co2G';
        value: number;
    }
    interface LegTermsToLatE6FieldEvent {
        field: '$.toLatE6';
        value: number;
    }
    interface LegTermsToLonE6FieldEvent {
        field: '$.toLonE6';
        value: number;
    }
    function encode(obj: Partial<LegTerms>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LegTerms>): LegTerms;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LegTerms>): Generator<LegTermsVersionFieldEvent | LegTermsDistrictFieldEvent | LegTermsPackageFieldEvent | LegTermsLegIdFieldEvent | LegTermsTravellerFieldEvent | LegTermsProviderFieldEvent | LegTermsModeFieldEvent | LegTermsResourceFieldEvent | LegTermsFromFieldEvent | LegTermsToFieldEvent | LegTermsUnitsFieldEvent | LegTermsDepartureTimeFieldEvent | LegTermsArrivalTimeFieldEvent | LegTermsPriceFieldEvent | LegTermsPricingPlanIdFieldEvent | LegTermsPricingPriceFieldEvent | LegTermsPricingPerMinPricingStartFieldEvent | LegTermsPricingPerMinPricingRateFieldEvent | LegTermsPricingPerMinPricingIntervalFieldEvent | LegTermsPricingPerMinPricingEndFieldEvent | LegTermsPricingPerKmPricingStartFieldEvent | LegTermsPricingPerKmPricingRateFieldEvent | LegTermsPricingPerKmPricingIntervalFieldEvent | LegTermsPricingPerKmPricingEndFieldEvent | LegTermsPricingMaxPriceFieldEvent | LegTermsCancellationFreeUntilSFieldEvent | LegTermsCancellationFeeNanosFieldEvent | LegTermsFromStopIdFieldEvent | LegTermsToStopIdFieldEvent | LegTermsDistanceMFieldEvent | LegTermsCo2GFieldEvent | LegTermsToLatE6FieldEvent | LegTermsToLonE6FieldEvent>;
}
export interface HoldRequest {
    terms?: LegTerms;
}
export declare namespace HoldRequest {
    const codec: () => Codec<HoldRequest>;
    interface HoldRequestTermsVersionFieldEvent {
        field: '$.terms.version';
        value: number;
    }
    interface HoldRequestTermsDistrictFieldEvent {
        field: '$.terms.district';
        value: string;
    }
    interface HoldRequestTermsPackageFieldEvent {
        field: '$.terms.package';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HoldRequestTermsLegIdFieldEvent {
        field: '$.terms.legId';
        value: string;
    }
    interface HoldRequestTermsTravellerFieldEvent {
        field: '$.terms.traveller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HoldRequestTermsProviderFieldEvent {
        field: '$.terms.provider';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HoldRequestTermsModeFieldEvent {
        field: '$.terms.mode';
        value: string;
    }
    interface HoldRequestTermsResourceFieldEvent {
        field: '$.terms.resource';
        value: string;
    }
    interface HoldRequestTermsFromFieldEvent {
        field: '$.terms.from';
        value: number;
    }
    interface HoldRequestTermsToFieldEvent {
        field: '$.terms.to';
        value: number;
    }
    interface HoldRequestTermsUnitsFieldEvent {
        field: '$.terms.units';
        value: number;
    }
    interface HoldRequestTermsDepartureTimeFieldEvent {
        field: '$.terms.departureTime';
        value: number;
    }
    interface HoldRequestTermsArrivalTimeFieldEvent {
        field: '$.terms.arrivalTime';
        value: number;
    }
    interface HoldRequestTermsPriceFieldEvent {
        field: '$.terms.price';
        value: number;
    }
    interface HoldRequestTermsPricingPlanIdFieldEvent {
        field: '$.terms.pricing.planId';
        value: string;
    }
    interface HoldRequestTermsPricingPriceFieldEvent {
        field: '$.terms.pricing.price';
        value: number;
    }
    interface HoldRequestTermsPricingPerMinPricingStartFieldEvent {
        field: '$.terms.pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerMinPricingRateFieldEvent {
        field: '$.terms.pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerMinPricingIntervalFieldEvent {
        field: '$.terms.pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerMinPricingEndFieldEvent {
        field: '$.terms.pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerKmPricingStartFieldEvent {
        field: '$.terms.pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerKmPricingRateFieldEvent {
        field: '$.terms.pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerKmPricingIntervalFieldEvent {
        field: '$.terms.pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingPerKmPricingEndFieldEvent {
        field: '$.terms.pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface HoldRequestTermsPricingMaxPriceFieldEvent {
        field: '$.terms.pricing.maxPrice';
        value: number;
    }
    interface HoldRequestTermsCancellationFreeUntilSFieldEvent {
        field: '$.terms.cancellation.freeUntilS';
        value: number;
    }
    interface HoldRequestTermsCancellationFeeNanosFieldEvent {
        field: '$.terms.cancellation.feeNanos';
        value: number;
    }
    interface HoldRequestTermsFromStopIdFieldEvent {
        field: '$.terms.fromStopId';
        value: string;
    }
    interface HoldRequestTermsToStopIdFieldEvent {
        field: '$.terms.toStopId';
        value: string;
    }
    interface HoldRequestTermsDistanceMFieldEvent {
        field: '$.terms.distanceM';
        value: number;
    }
    interface HoldRequestTermsCo2GFieldEvent {
        field: '$.terms.co2G';
        value: number;
    }
    interface HoldRequestTermsToLatE6FieldEvent {
        field: '$.terms.toLatE6';
        value: number;
    }
    interface HoldRequestTermsToLonE6FieldEvent {
        field: '$.terms.toLonE6';
        value: number;
    }
    function encode(obj: Partial<HoldRequest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldRequest>): HoldRequest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldRequest>): Generator<HoldRequestTermsVersionFieldEvent | HoldRequestTermsDistrictFieldEvent | HoldRequestTermsPackageFieldEvent | HoldRequestTermsLegIdFieldEvent | HoldRequestTermsTravellerFieldEvent | HoldRequestTermsProviderFieldEvent | HoldRequestTermsModeFieldEvent | HoldRequestTermsResourceFieldEvent | HoldRequestTermsFromFieldEvent | HoldRequestTermsToFieldEvent | HoldRequestTermsUnitsFieldEvent | HoldRequestTermsDepartureTimeFieldEvent | HoldRequestTermsArrivalTimeFieldEvent | HoldRequestTermsPriceFieldEvent | HoldRequestTermsPricingPlanIdFieldEvent | HoldRequestTermsPricingPriceFieldEvent | HoldRequestTermsPricingPerMinPricingStartFieldEvent | HoldRequestTermsPricingPerMinPricingRateFieldEvent | HoldRequestTermsPricingPerMinPricingIntervalFieldEvent | HoldRequestTermsPricingPerMinPricingEndFieldEvent | HoldRequestTermsPricingPerKmPricingStartFieldEvent | HoldRequestTermsPricingPerKmPricingRateFieldEvent | HoldRequestTermsPricingPerKmPricingIntervalFieldEvent | HoldRequestTermsPricingPerKmPricingEndFieldEvent | HoldRequestTermsPricingMaxPriceFieldEvent | HoldRequestTermsCancellationFreeUntilSFieldEvent | HoldRequestTermsCancellationFeeNanosFieldEvent | HoldRequestTermsFromStopIdFieldEvent | HoldRequestTermsToStopIdFieldEvent | HoldRequestTermsDistanceMFieldEvent | HoldRequestTermsCo2GFieldEvent | HoldRequestTermsToLatE6FieldEvent | HoldRequestTermsToLonE6FieldEvent>;
}
export interface Held {
    leg: Uint8Array<ArrayBuffer>;
    terms?: LegTerms;
    providerSignature: Uint8Array<ArrayBuffer>;
    holdUntil: number;
}
export declare namespace Held {
    const codec: () => Codec<Held>;
    interface HeldLegFieldEvent {
        field: '$.leg';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HeldTermsVersionFieldEvent {
        field: '$.terms.version';
        value: number;
    }
    interface HeldTermsDistrictFieldEvent {
        field: '$.terms.district';
        value: string;
    }
    interface HeldTermsPackageFieldEvent {
        field: '$.terms.package';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HeldTermsLegIdFieldEvent {
        field: '$.terms.legId';
        value: string;
    }
    interface HeldTermsTravellerFieldEvent {
        field: '$.terms.traveller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HeldTermsProviderFieldEvent {
        field: '$.terms.provider';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HeldTermsModeFieldEvent {
        field: '$.terms.mode';
        value: string;
    }
    interface HeldTermsResourceFieldEvent {
        field: '$.terms.resource';
        value: string;
    }
    interface HeldTermsFromFieldEvent {
        field: '$.terms.from';
        value: number;
    }
    interface HeldTermsToFieldEvent {
        field: '$.terms.to';
        value: number;
    }
    interface HeldTermsUnitsFieldEvent {
        field: '$.terms.units';
        value: number;
    }
    interface HeldTermsDepartureTimeFieldEvent {
        field: '$.terms.departureTime';
        value: number;
    }
    interface HeldTermsArrivalTimeFieldEvent {
        field: '$.terms.arrivalTime';
        value: number;
    }
    interface HeldTermsPriceFieldEvent {
        field: '$.terms.price';
        value: number;
    }
    interface HeldTermsPricingPlanIdFieldEvent {
        field: '$.terms.pricing.planId';
        value: string;
    }
    interface HeldTermsPricingPriceFieldEvent {
        field: '$.terms.pricing.price';
        value: number;
    }
    interface HeldTermsPricingPerMinPricingStartFieldEvent {
        field: '$.terms.pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerMinPricingRateFieldEvent {
        field: '$.terms.pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerMinPricingIntervalFieldEvent {
        field: '$.terms.pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerMinPricingEndFieldEvent {
        field: '$.terms.pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerKmPricingStartFieldEvent {
        field: '$.terms.pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerKmPricingRateFieldEvent {
        field: '$.terms.pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerKmPricingIntervalFieldEvent {
        field: '$.terms.pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface HeldTermsPricingPerKmPricingEndFieldEvent {
        field: '$.terms.pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface HeldTermsPricingMaxPriceFieldEvent {
        field: '$.terms.pricing.maxPrice';
        value: number;
    }
    interface HeldTermsCancellationFreeUntilSFieldEvent {
        field: '$.terms.cancellation.freeUntilS';
        value: number;
    }
    interface HeldTermsCancellationFeeNanosFieldEvent {
        field: '$.terms.cancellation.feeNanos';
        value: number;
    }
    interface HeldTermsFromStopIdFieldEvent {
        field: '$.terms.fromStopId';
        value: string;
    }
    interface HeldTermsToStopIdFieldEvent {
        field: '$.terms.toStopId';
        value: string;
    }
    interface HeldTermsDistanceMFieldEvent {
        field: '$.terms.distanceM';
        value: number;
    }
    interface HeldTermsCo2GFieldEvent {
        field: '$.terms.co2G';
        value: number;
    }
    interface HeldTermsToLatE6FieldEvent {
        field: '$.terms.toLatE6';
        value: number;
    }
    interface HeldTermsToLonE6FieldEvent {
        field: '$.terms.toLonE6';
        value: number;
    }
    interface HeldProviderSignatureFieldEvent {
        field: '$.providerSignature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface HeldHoldUntilFieldEvent {
        field: '$.holdUntil';
        value: number;
    }
    function encode(obj: Partial<Held>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Held>): Held;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Held>): Generator<HeldLegFieldEvent | HeldTermsVersionFieldEvent | HeldTermsDistrictFieldEvent | HeldTermsPackageFieldEvent | HeldTermsLegIdFieldEvent | HeldTermsTravellerFieldEvent | HeldTermsProviderFieldEvent | HeldTermsModeFieldEvent | HeldTermsResourceFieldEvent | HeldTermsFromFieldEvent | HeldTermsToFieldEvent | HeldTermsUnitsFieldEvent | HeldTermsDepartureTimeFieldEvent | HeldTermsArrivalTimeFieldEvent | HeldTermsPriceFieldEvent | HeldTermsPricingPlanIdFieldEvent | HeldTermsPricingPriceFieldEvent | HeldTermsPricingPerMinPricingStartFieldEvent | HeldTermsPricingPerMinPricingRateFieldEvent | HeldTermsPricingPerMinPricingIntervalFieldEvent | HeldTermsPricingPerMinPricingEndFieldEvent | HeldTermsPricingPerKmPricingStartFieldEvent | HeldTermsPricingPerKmPricingRateFieldEvent | HeldTermsPricingPerKmPricingIntervalFieldEvent | HeldTermsPricingPerKmPricingEndFieldEvent | HeldTermsPricingMaxPriceFieldEvent | HeldTermsCancellationFreeUntilSFieldEvent | HeldTermsCancellationFeeNanosFieldEvent | HeldTermsFromStopIdFieldEvent | HeldTermsToStopIdFieldEvent | HeldTermsDistanceMFieldEvent | HeldTermsCo2GFieldEvent | HeldTermsToLatE6FieldEvent | HeldTermsToLonE6FieldEvent | HeldProviderSignatureFieldEvent | HeldHoldUntilFieldEvent>;
}
export interface Commit {
    leg: Uint8Array<ArrayBuffer>;
    terms?: LegTerms;
    travellerSignature: Uint8Array<ArrayBuffer>;
    paymentKey: string;
    paymentDigest: string;
}
export declare namespace Commit {
    const codec: () => Codec<Commit>;
    interface CommitLegFieldEvent {
        field: '$.leg';
        value: Uint8Array<ArrayBuffer>;
    }
    interface CommitTermsVersionFieldEvent {
        field: '$.terms.version';
        value: number;
    }
    interface CommitTermsDistrictFieldEvent {
        field: '$.terms.district';
        value: string;
    }
    interface CommitTermsPackageFieldEvent {
        field: '$.terms.package';
        value: Uint8Array<ArrayBuffer>;
    }
    interface CommitTermsLegIdFieldEvent {
        field: '$.terms.legId';
        value: string;
    }
    interface CommitTermsTravellerFieldEvent {
        field: '$.terms.traveller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface CommitTermsProviderFieldEvent {
        field: '$.terms.provider';
        value: Uint8Array<ArrayBuffer>;
    }
    interface CommitTermsModeFieldEvent {
        field: '$.terms.mode';
        value: string;
    }
    interface CommitTermsResourceFieldEvent {
        field: '$.terms.resource';
        value: string;
    }
    interface CommitTermsFromFieldEvent {
        field: '$.terms.from';
        value: number;
    }
    interface CommitTermsToFieldEvent {
        field: '$.terms.to';
        value: number;
    }
    interface CommitTermsUnitsFieldEvent {
        field: '$.terms.units';
        value: number;
    }
    interface CommitTermsDepartureTimeFieldEvent {
        field: '$.terms.departureTime';
        value: number;
    }
    interface CommitTermsArrivalTimeFieldEvent {
        field: '$.terms.arrivalTime';
        value: number;
    }
    interface CommitTermsPriceFieldEvent {
        field: '$.terms.price';
        value: number;
    }
    interface CommitTermsPricingPlanIdFieldEvent {
        field: '$.terms.pricing.planId';
        value: string;
    }
    interface CommitTermsPricingPriceFieldEvent {
        field: '$.terms.pricing.price';
        value: number;
    }
    interface CommitTermsPricingPerMinPricingStartFieldEvent {
        field: '$.terms.pricing.perMinPricing[].start';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerMinPricingRateFieldEvent {
        field: '$.terms.pricing.perMinPricing[].rate';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerMinPricingIntervalFieldEvent {
        field: '$.terms.pricing.perMinPricing[].interval';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerMinPricingEndFieldEvent {
        field: '$.terms.pricing.perMinPricing[].end';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerKmPricingStartFieldEvent {
        field: '$.terms.pricing.perKmPricing[].start';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerKmPricingRateFieldEvent {
        field: '$.terms.pricing.perKmPricing[].rate';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerKmPricingIntervalFieldEvent {
        field: '$.terms.pricing.perKmPricing[].interval';
        value: number;
        index: number;
    }
    interface CommitTermsPricingPerKmPricingEndFieldEvent {
        field: '$.terms.pricing.perKmPricing[].end';
        value: number;
        index: number;
    }
    interface CommitTermsPricingMaxPriceFieldEvent {
        field: '$.terms.pricing.maxPrice';
        value: number;
    }
    interface CommitTermsCancellationFreeUntilSFieldEvent {
        field: '$.terms.cancellation.freeUntilS';
        value: number;
    }
    interface CommitTermsCancellationFeeNanosFieldEvent {
        field: '$.terms.cancellation.feeNanos';
        value: number;
    }
    interface CommitTermsFromStopIdFieldEvent {
        field: '$.terms.fromStopId';
        value: string;
    }
    interface CommitTermsToStopIdFieldEvent {
        field: '$.terms.toStopId';
        value: string;
    }
    interface CommitTermsDistanceMFieldEvent {
        field: '$.terms.distanceM';
        value: number;
    }
    interface CommitTermsCo2GFieldEvent {
        field: '$.terms.co2G';
        value: number;
    }
    interface CommitTermsToLatE6FieldEvent {
        field: '$.terms.toLatE6';
        value: number;
    }
    interface CommitTermsToLonE6FieldEvent {
        field: '$.terms.toLonE6';
        value: number;
    }
    interface CommitTravellerSignatureFieldEvent {
        field: '$.travellerSignature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface CommitPaymentKeyFieldEvent {
        field: '$.paymentKey';
        value: string;
    }
    interface CommitPaymentDigestFieldEvent {
        field: '$.paymentDigest';
        value: string;
    }
    function encode(obj: Partial<Commit>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Commit>): Commit;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Commit>): Generator<CommitLegFieldEvent | CommitTermsVersionFieldEvent | CommitTermsDistrictFieldEvent | CommitTermsPackageFieldEvent | CommitTermsLegIdFieldEvent | CommitTermsTravellerFieldEvent | CommitTermsProviderFieldEvent | CommitTermsModeFieldEvent | CommitTermsResourceFieldEvent | CommitTermsFromFieldEvent | CommitTermsToFieldEvent | CommitTermsUnitsFieldEvent | CommitTermsDepartureTimeFieldEvent | CommitTermsArrivalTimeFieldEvent | CommitTermsPriceFieldEvent | CommitTermsPricingPlanIdFieldEvent | CommitTermsPricingPriceFieldEvent | CommitTermsPricingPerMinPricingStartFieldEvent | CommitTermsPricingPerMinPricingRateFieldEvent | CommitTermsPricingPerMinPricingIntervalFieldEvent | CommitTermsPricingPerMinPricingEndFieldEvent | CommitTermsPricingPerKmPricingStartFieldEvent | CommitTermsPricingPerKmPricingRateFieldEvent | CommitTermsPricingPerKmPricingIntervalFieldEvent | CommitTermsPricingPerKmPricingEndFieldEvent | CommitTermsPricingMaxPriceFieldEvent | CommitTermsCancellationFreeUntilSFieldEvent | CommitTermsCancellationFeeNanosFieldEvent | CommitTermsFromStopIdFieldEvent | CommitTermsToStopIdFieldEvent | CommitTermsDistanceMFieldEvent | CommitTermsCo2GFieldEvent | CommitTermsToLatE6FieldEvent | CommitTermsToLonE6FieldEvent | CommitTravellerSignatureFieldEvent | CommitPaymentKeyFieldEvent | CommitPaymentDigestFieldEvent>;
}
export interface LegState {
    leg: Uint8Array<ArrayBuffer>;
    status: string;
    fee: number;
    refund: number;
    refundDigest: string;
}
export declare namespace LegState {
    const codec: () => Codec<LegState>;
    interface LegStateLegFieldEvent {
        field: '$.leg';
        value: Uint8Array<ArrayBuffer>;
    }
    interface LegStateStatusFieldEvent {
        field: '$.status';
        value: string;
    }
    interface LegStateFeeFieldEvent {
        field: '$.fee';
        value: number;
    }
    interface LegStateRefundFieldEvent {
        field: '$.refund';
        value: number;
    }
    interface LegStateRefundDigestFieldEvent {
        field: '$.refundDigest';
        value: string;
    }
    function encode(obj: Partial<LegState>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LegState>): LegState;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LegState>): Generator<LegStateLegFieldEvent | LegStateStatusFieldEvent | LegStateFeeFieldEvent | LegStateRefundFieldEvent | LegStateRefundDigestFieldEvent>;
}
export interface Release {
    leg: Uint8Array<ArrayBuffer>;
    package: Uint8Array<ArrayBuffer>;
    legId: string;
    cancel: boolean;
}
export declare namespace Release {
    const codec: () => Codec<Release>;
    interface ReleaseLegFieldEvent {
        field: '$.leg';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ReleasePackageFieldEvent {
        field: '$.package';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ReleaseLegIdFieldEvent {
        field: '$.legId';
        value: string;
    }
    interface ReleaseCancelFieldEvent {
        field: '$.cancel';
        value: boolean;
    }
    function encode(obj: Partial<Release>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Release>): Release;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Release>): Generator<ReleaseLegFieldEvent | ReleasePackageFieldEvent | ReleaseLegIdFieldEvent | ReleaseCancelFieldEvent>;
}
export interface BookingReject {
    package: Uint8Array<ArrayBuffer>;
    legId: string;
    code: string;
    detail: string;
}
export declare namespace BookingReject {
    const codec: () => Codec<BookingReject>;
    interface BookingRejectPackageFieldEvent {
        field: '$.package';
        value: Uint8Array<ArrayBuffer>;
    }
    interface BookingRejectLegIdFieldEvent {
        field: '$.legId';
        value: string;
    }
    interface BookingRejectCodeFieldEvent {
        field: '$.code';
        value: string;
    }
    interface BookingRejectDetailFieldEvent {
        field: '$.detail';
        value: string;
    }
    function encode(obj: Partial<BookingReject>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BookingReject>): BookingReject;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BookingReject>): Generator<BookingRejectPackageFieldEvent | BookingRejectLegIdFieldEvent | BookingRejectCodeFieldEvent | BookingRejectDetailFieldEvent>;
}
export interface UsageReport {
    leg: Uint8Array<ArrayBuffer>;
    seq: number;
    seconds: number;
    metres: number;
    at: number;
    ended: boolean;
}
export declare namespace UsageReport {
    const codec: () => Codec<UsageReport>;
    interface UsageReportLegFieldEvent {
        field: '$.leg';
        value: Uint8Array<ArrayBuffer>;
    }
    interface UsageReportSeqFieldEvent {
        field: '$.seq';
        value: number;
    }
    interface UsageReportSecondsFieldEvent {
        field: '$.seconds';
        value: number;
    }
    interface UsageReportMetresFieldEvent {
        field: '$.metres';
        value: number;
    }
    interface UsageReportAtFieldEvent {
        field: '$.at';
        value: number;
    }
    interface UsageReportEndedFieldEvent {
        field: '$.ended';
        value: boolean;
    }
    function encode(obj: Partial<UsageReport>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageReport>): UsageReport;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageReport>): Generator<UsageReportLegFieldEvent | UsageReportSeqFieldEvent | UsageReportSecondsFieldEvent | UsageReportMetresFieldEvent | UsageReportAtFieldEvent | UsageReportEndedFieldEvent>;
}
export interface UsageReceipt {
    version: number;
    district: string;
    leg: Uint8Array<ArrayBuffer>;
    nonce: number;
    seconds: number;
    metres: number;
    total: number;
    payer: Uint8Array<ArrayBuffer>;
    payee: Uint8Array<ArrayBuffer>;
    issuedAt: number;
}
export declare namespace UsageReceipt {
    const codec: () => Codec<UsageReceipt>;
    interface UsageReceiptVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface UsageReceiptDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface UsageReceiptLegFieldEvent {
        field: '$.leg';
        value: Uint8Array<ArrayBuffer>;
    }
    interface UsageReceiptNonceFieldEvent {
        field: '$.nonce';
        value: number;
    }
    interface UsageReceiptSecondsFieldEvent {
        field: '$.seconds';
        value: number;
    }
    interface UsageReceiptMetresFieldEvent {
        field: '$.metres';
        value: number;
    }
    interface UsageReceiptTotalFieldEvent {
        field: '$.total';
        value: number;
    }
    interface UsageReceiptPayerFieldEvent {
        field: '$.payer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface UsageReceiptPayeeFieldEvent {
        field: '$.payee';
        value: Uint8Array<ArrayBuffer>;
    }
    interface UsageReceiptIssuedAtFieldEvent {
        field: '$.issuedAt';
        value: number;
    }
    function encode(obj: Partial<UsageReceipt>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageReceipt>): UsageReceipt;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageReceipt>): Generator<UsageReceiptVersionFieldEvent | UsageReceiptDistrictFieldEvent | UsageReceiptLegFieldEvent | UsageReceiptNonceFieldEvent | UsageReceiptSecondsFieldEvent | UsageReceiptMetresFieldEvent | UsageReceiptTotalFieldEvent | UsageReceiptPayerFieldEvent | UsageReceiptPayeeFieldEvent | UsageReceiptIssuedAtFieldEvent>;
}
