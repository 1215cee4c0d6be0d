import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface Offer {
    slot: bigint;
    energyWh: bigint;
    price: bigint;
}
export declare namespace Offer {
    const codec: () => Codec<Offer>;
    interface OfferSlotFieldEvent {
        field: '$.slot';
        value: bigint;
    }
    interface OfferEnergyWhFieldEvent {
        field: '$.energyWh';
        value: bigint;
    }
    interface OfferPriceFieldEvent {
        field: '$.price';
        value: bigint;
    }
    function encode(obj: Partial<Offer>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Offer;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Generator<OfferSlotFieldEvent | OfferEnergyWhFieldEvent | OfferPriceFieldEvent>;
}
export interface Bid {
    slot: bigint;
    energyWh: bigint;
    price: bigint;
}
export declare namespace Bid {
    const codec: () => Codec<Bid>;
    interface BidSlotFieldEvent {
        field: '$.slot';
        value: bigint;
    }
    interface BidEnergyWhFieldEvent {
        field: '$.energyWh';
        value: bigint;
    }
    interface BidPriceFieldEvent {
        field: '$.price';
        value: bigint;
    }
    function encode(obj: Partial<Bid>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Bid>): Bid;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Bid>): Generator<BidSlotFieldEvent | BidEnergyWhFieldEvent | BidPriceFieldEvent>;
}
export interface Announcement {
    version: number;
    district: string;
    trader: Uint8Array<ArrayBuffer>;
    seq: bigint;
    issuedAt: bigint;
    validUntil: bigint;
    offers: Offer[];
    bids: Bid[];
    addrs: Uint8Array<ArrayBuffer>[];
    feeder: string;
}
export declare namespace Announcement {
    const codec: () => Codec<Announcement>;
    interface AnnouncementVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface AnnouncementDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface AnnouncementTraderFieldEvent {
        field: '$.trader';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AnnouncementSeqFieldEvent {
        field: '$.seq';
        value: bigint;
    }
    interface AnnouncementIssuedAtFieldEvent {
        field: '$.issuedAt';
        value: bigint;
    }
    interface AnnouncementValidUntilFieldEvent {
        field: '$.validUntil';
        value: bigint;
    }
    interface AnnouncementOffersSlotFieldEvent {
        field: '$.offers[].slot';
        value: bigint;
        index: number;
    }
    interface AnnouncementOffersEnergyWhFieldEvent {
        field: '$.offers[].energyWh';
        value: bigint;
        index: number;
    }
    interface AnnouncementOffersPriceFieldEvent {
        field: '$.offers[].price';
        value: bigint;
        index: number;
    }
    interface AnnouncementBidsSlotFieldEvent {
        field: '$.bids[].slot';
        value: bigint;
        index: number;
    }
    interface AnnouncementBidsEnergyWhFieldEvent {
        field: '$.bids[].energyWh';
        value: bigint;
        index: number;
    }
    interface AnnouncementBidsPriceFieldEvent {
        field: '$.bids[].price';
        value: bigint;
        index: number;
    }
    interface AnnouncementAddrsFieldEvent {
        field: '$.addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface AnnouncementFeederFieldEvent {
        field: '$.feeder';
        value: string;
    }
    function encode(obj: Partial<Announcement>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Announcement;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Generator<AnnouncementVersionFieldEvent | AnnouncementDistrictFieldEvent | AnnouncementTraderFieldEvent | AnnouncementSeqFieldEvent | AnnouncementIssuedAtFieldEvent | AnnouncementValidUntilFieldEvent | AnnouncementOffersSlotFieldEvent | AnnouncementOffersEnergyWhFieldEvent | AnnouncementOffersPriceFieldEvent | AnnouncementBidsSlotFieldEvent | AnnouncementBidsEnergyWhFieldEvent | AnnouncementBidsPriceFieldEvent | AnnouncementAddrsFieldEvent | AnnouncementFeederFieldEvent>;
}
export interface DigestEntry {
    trader: Uint8Array<ArrayBuffer>;
    feeder: string;
    slot: bigint;
    energyWh: bigint;
    price: bigint;
    addrs: Uint8Array<ArrayBuffer>[];
    buyer: Uint8Array<ArrayBuffer>;
}
export declare namespace DigestEntry {
    const codec: () => Codec<DigestEntry>;
    interface DigestEntryTraderFieldEvent {
        field: '$.trader';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestEntryFeederFieldEvent {
        field: '$.feeder';
        value: string;
    }
    interface DigestEntrySlotFieldEvent {
        field: '$.slot';
        value: bigint;
    }
    interface DigestEntryEnergyWhFieldEvent {
        field: '$.energyWh';
        value: bigint;
    }
    interface DigestEntryPriceFieldEvent {
        field: '$.price';
        value: bigint;
    }
    interface DigestEntryAddrsFieldEvent {
        field: '$.addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestEntryBuyerFieldEvent {
        field: '$.buyer';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<DigestEntry>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DigestEntry>): DigestEntry;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DigestEntry>): Generator<DigestEntryTraderFieldEvent | DigestEntryFeederFieldEvent | DigestEntrySlotFieldEvent | DigestEntryEnergyWhFieldEvent | DigestEntryPriceFieldEvent | DigestEntryAddrsFieldEvent | DigestEntryBuyerFieldEvent>;
}
export interface Digest {
    version: number;
    district: string;
    relay: Uint8Array<ArrayBuffer>;
    feeder: string;
    seq: bigint;
    issuedAt: bigint;
    validUntil: bigint;
    entries: DigestEntry[];
    bids: DigestEntry[];
    relayAddrs: Uint8Array<ArrayBuffer>[];
    matched: DigestEntry[];
    amends: bigint;
}
export declare namespace Digest {
    const codec: () => Codec<Digest>;
    interface DigestVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface DigestDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface DigestRelayFieldEvent {
        field: '$.relay';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestFeederFieldEvent {
        field: '$.feeder';
        value: string;
    }
    interface DigestSeqFieldEvent {
        field: '$.seq';
        value: bigint;
    }
    interface DigestIssuedAtFieldEvent {
        field: '$.issuedAt';
        value: bigint;
    }
    interface DigestValidUntilFieldEvent {
        field: '$.validUntil';
        value: bigint;
    }
    interface DigestEntriesTraderFieldEvent {
        field: '$.entries[].trader';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface DigestEntriesFeederFieldEvent {
        field: '$.entries[].feeder';
        value: string;
        index: number;
    }
    interface DigestEntriesSlotFieldEvent {
        field: '$.entries[].slot';
        value: bigint;
        index: number;
    }
    interface DigestEntriesEnergyWhFieldEvent {
        field: '$.entries[].energyWh';
        value: bigint;
        index: number;
    }
    interface DigestEntriesPriceFieldEvent {
        field: '$.entries[].price';
        value: bigint;
        index: number;
    }
    interface DigestEntriesAddrsFieldEvent {
        field: '$.entries[].addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestEntriesBuyerFieldEvent {
        field: '$.entries[].buyer';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface DigestBidsTraderFieldEvent {
        field: '$.bids[].trader';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface DigestBidsFeederFieldEvent {
        field: '$.bids[].feeder';
        value: string;
        index: number;
    }
    interface DigestBidsSlotFieldEvent {
        field: '$.bids[].slot';
        value: bigint;
        index: number;
    }
    interface DigestBidsEnergyWhFieldEvent {
        field: '$.bids[].energyWh';
        value: bigint;
        index: number;
    }
    interface DigestBidsPriceFieldEvent {
        field: '$.bids[].price';
        value: bigint;
        index: number;
    }
    interface DigestBidsAddrsFieldEvent {
        field: '$.bids[].addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestBidsBuyerFieldEvent {
        field: '$.bids[].buyer';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface DigestRelayAddrsFieldEvent {
        field: '$.relayAddrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestMatchedTraderFieldEvent {
        field: '$.matched[].trader';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface DigestMatchedFeederFieldEvent {
        field: '$.matched[].feeder';
        value: string;
        index: number;
    }
    interface DigestMatchedSlotFieldEvent {
        field: '$.matched[].slot';
        value: bigint;
        index: number;
    }
    interface DigestMatchedEnergyWhFieldEvent {
        field: '$.matched[].energyWh';
        value: bigint;
        index: number;
    }
    interface DigestMatchedPriceFieldEvent {
        field: '$.matched[].price';
        value: bigint;
        index: number;
    }
    interface DigestMatchedAddrsFieldEvent {
        field: '$.matched[].addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface DigestMatchedBuyerFieldEvent {
        field: '$.matched[].buyer';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface DigestAmendsFieldEvent {
        field: '$.amends';
        value: bigint;
    }
    function encode(obj: Partial<Digest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Digest>): Digest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Digest>): Generator<DigestVersionFieldEvent | DigestDistrictFieldEvent | DigestRelayFieldEvent | DigestFeederFieldEvent | DigestSeqFieldEvent | DigestIssuedAtFieldEvent | DigestValidUntilFieldEvent | DigestEntriesTraderFieldEvent | DigestEntriesFeederFieldEvent | DigestEntriesSlotFieldEvent | DigestEntriesEnergyWhFieldEvent | DigestEntriesPriceFieldEvent | DigestEntriesAddrsFieldEvent | DigestEntriesBuyerFieldEvent | DigestBidsTraderFieldEvent | DigestBidsFeederFieldEvent | DigestBidsSlotFieldEvent | DigestBidsEnergyWhFieldEvent | DigestBidsPriceFieldEvent | DigestBidsAddrsFieldEvent | DigestBidsBuyerFieldEvent | DigestRelayAddrsFieldEvent | DigestMatchedTraderFieldEvent | DigestMatchedFeederFieldEvent | DigestMatchedSlotFieldEvent | DigestMatchedEnergyWhFieldEvent | DigestMatchedPriceFieldEvent | DigestMatchedAddrsFieldEvent | DigestMatchedBuyerFieldEvent | DigestAmendsFieldEvent>;
}
export interface Proposal {
    version: number;
    district: string;
    id: Uint8Array<ArrayBuffer>;
    buyer: Uint8Array<ArrayBuffer>;
    seller: Uint8Array<ArrayBuffer>;
    slot: bigint;
    energyWh: bigint;
    price: bigint;
    expiresAt: bigint;
    round: number;
    feeder: string;
}
export declare namespace Proposal {
    const codec: () => Codec<Proposal>;
    interface ProposalVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface ProposalDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface ProposalIdFieldEvent {
        field: '$.id';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ProposalBuyerFieldEvent {
        field: '$.buyer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ProposalSellerFieldEvent {
        field: '$.seller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ProposalSlotFieldEvent {
        field: '$.slot';
        value: bigint;
    }
    interface ProposalEnergyWhFieldEvent {
        field: '$.energyWh';
        value: bigint;
    }
    interface ProposalPriceFieldEvent {
        field: '$.price';
        value: bigint;
    }
    interface ProposalExpiresAtFieldEvent {
        field: '$.expiresAt';
        value: bigint;
    }
    interface ProposalRoundFieldEvent {
        field: '$.round';
        value: number;
    }
    interface ProposalFeederFieldEvent {
        field: '$.feeder';
        value: string;
    }
    function encode(obj: Partial<Proposal>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proposal>): Proposal;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proposal>): Generator<ProposalVersionFieldEvent | ProposalDistrictFieldEvent | ProposalIdFieldEvent | ProposalBuyerFieldEvent | ProposalSellerFieldEvent | ProposalSlotFieldEvent | ProposalEnergyWhFieldEvent | ProposalPriceFieldEvent | ProposalExpiresAtFieldEvent | ProposalRoundFieldEvent | ProposalFeederFieldEvent>;
}
export interface TradeTerms {
    version: number;
    district: string;
    negotiation: Uint8Array<ArrayBuffer>;
    buyer: Uint8Array<ArrayBuffer>;
    seller: Uint8Array<ArrayBuffer>;
    slot: bigint;
    energyWh: bigint;
    price: bigint;
    agreedAt: bigint;
    buyerFeeder: string;
    sellerFeeder: string;
    gridFee: bigint;
}
export declare namespace TradeTerms {
    const codec: () => Codec<TradeTerms>;
    interface TradeTermsVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface TradeTermsDistrictFieldEvent {
        field: '$.district';
        value: string;
    }
    interface TradeTermsNegotiationFieldEvent {
        field: '$.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeTermsBuyerFieldEvent {
        field: '$.buyer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeTermsSellerFieldEvent {
        field: '$.seller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeTermsSlotFieldEvent {
        field: '$.slot';
        value: bigint;
    }
    interface TradeTermsEnergyWhFieldEvent {
        field: '$.energyWh';
        value: bigint;
    }
    interface TradeTermsPriceFieldEvent {
        field: '$.price';
        value: bigint;
    }
    interface TradeTermsAgreedAtFieldEvent {
        field: '$.agreedAt';
        value: bigint;
    }
    interface TradeTermsBuyerFeederFieldEvent {
        field: '$.buyerFeeder';
        value: string;
    }
    interface TradeTermsSellerFeederFieldEvent {
        field: '$.sellerFeeder';
        value: string;
    }
    interface TradeTermsGridFeeFieldEvent {
        field: '$.gridFee';
        value: bigint;
    }
    function encode(obj: Partial<TradeTerms>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TradeTerms>): TradeTerms;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TradeTerms>): Generator<TradeTermsVersionFieldEvent | TradeTermsDistrictFieldEvent | TradeTermsNegotiationFieldEvent | TradeTermsBuyerFieldEvent | TradeTermsSellerFieldEvent | TradeTermsSlotFieldEvent | TradeTermsEnergyWhFieldEvent | TradeTermsPriceFieldEvent | TradeTermsAgreedAtFieldEvent | TradeTermsBuyerFeederFieldEvent | TradeTermsSellerFeederFieldEvent | TradeTermsGridFeeFieldEvent>;
}
export interface Accept {
    negotiation: Uint8Array<ArrayBuffer>;
    terms?: TradeTerms;
    sellerSignature: Uint8Array<ArrayBuffer>;
    holdUntil: bigint;
}
export declare namespace Accept {
    const codec: () => Codec<Accept>;
    interface AcceptNegotiationFieldEvent {
        field: '$.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AcceptTermsVersionFieldEvent {
        field: '$.terms.version';
        value: number;
    }
    interface AcceptTermsDistrictFieldEvent {
        field: '$.terms.district';
        value: string;
    }
    interface AcceptTermsNegotiationFieldEvent {
        field: '$.terms.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AcceptTermsBuyerFieldEvent {
        field: '$.terms.buyer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AcceptTermsSellerFieldEvent {
        field: '$.terms.seller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AcceptTermsSlotFieldEvent {
        field: '$.terms.slot';
        value: bigint;
    }
    interface AcceptTermsEnergyWhFieldEvent {
        field: '$.terms.energyWh';
        value: bigint;
    }
    interface AcceptTermsPriceFieldEvent {
        field: '$.terms.price';
        value: bigint;
    }
    interface AcceptTermsAgreedAtFieldEvent {
        field: '$.terms.agreedAt';
        value: bigint;
    }
    interface AcceptTermsBuyerFeederFieldEvent {
        field: '$.terms.buyerFeeder';
        value: string;
    }
    interface AcceptTermsSellerFeederFieldEvent {
        field: '$.terms.sellerFeeder';
        value: string;
    }
    interface AcceptTermsGridFeeFieldEvent {
        field: '$.terms.gridFee';
        value: bigint;
    }
    interface AcceptSellerSignatureFieldEvent {
        field: '$.sellerSignature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AcceptHoldUntilFieldEvent {
        field: '$.holdUntil';
        value: bigint;
    }
    function encode(obj: Partial<Accept>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Accept>): Accept;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Accept>): Generator<AcceptNegotiationFieldEvent | AcceptTermsVersionFieldEvent | AcceptTermsDistrictFieldEvent | AcceptTermsNegotiationFieldEvent | AcceptTermsBuyerFieldEvent | AcceptTermsSellerFieldEvent | AcceptTermsSlotFieldEvent | AcceptTermsEnergyWhFieldEvent | AcceptTermsPriceFieldEvent | AcceptTermsAgreedAtFieldEvent | AcceptTermsBuyerFeederFieldEvent | AcceptTermsSellerFeederFieldEvent | AcceptTermsGridFeeFieldEvent | AcceptSellerSignatureFieldEvent | AcceptHoldUntilFieldEvent>;
}
export interface Counter {
    negotiation: Uint8Array<ArrayBuffer>;
    energyWh: bigint;
    price: bigint;
    expiresAt: bigint;
    round: number;
}
export declare namespace Counter {
    const codec: () => Codec<Counter>;
    interface CounterNegotiationFieldEvent {
        field: '$.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface CounterEnergyWhFieldEvent {
        field: '$.energyWh';
        value: bigint;
    }
    interface CounterPriceFieldEvent {
        field: '$.price';
        value: bigint;
    }
    interface CounterExpiresAtFieldEvent {
        field: '$.expiresAt';
        value: bigint;
    }
    interface CounterRoundFieldEvent {
        field: '$.round';
        value: number;
    }
    function encode(obj: Partial<Counter>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Counter>): Counter;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Counter>): Generator<CounterNegotiationFieldEvent | CounterEnergyWhFieldEvent | CounterPriceFieldEvent | CounterExpiresAtFieldEvent | CounterRoundFieldEvent>;
}
export interface Reject {
    negotiation: Uint8Array<ArrayBuffer>;
    code: string;
    detail: string;
    referrals: DigestEntry[];
}
export declare namespace Reject {
    const codec: () => Codec<Reject>;
    interface RejectNegotiationFieldEvent {
        field: '$.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface RejectCodeFieldEvent {
        field: '$.code';
        value: string;
    }
    interface RejectDetailFieldEvent {
        field: '$.detail';
        value: string;
    }
    interface RejectReferralsTraderFieldEvent {
        field: '$.referrals[].trader';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface RejectReferralsFeederFieldEvent {
        field: '$.referrals[].feeder';
        value: string;
        index: number;
    }
    interface RejectReferralsSlotFieldEvent {
        field: '$.referrals[].slot';
        value: bigint;
        index: number;
    }
    interface RejectReferralsEnergyWhFieldEvent {
        field: '$.referrals[].energyWh';
        value: bigint;
        index: number;
    }
    interface RejectReferralsPriceFieldEvent {
        field: '$.referrals[].price';
        value: bigint;
        index: number;
    }
    interface RejectReferralsAddrsFieldEvent {
        field: '$.referrals[].addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface RejectReferralsBuyerFieldEvent {
        field: '$.referrals[].buyer';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    function encode(obj: Partial<Reject>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Reject;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Generator<RejectNegotiationFieldEvent | RejectCodeFieldEvent | RejectDetailFieldEvent | RejectReferralsTraderFieldEvent | RejectReferralsFeederFieldEvent | RejectReferralsSlotFieldEvent | RejectReferralsEnergyWhFieldEvent | RejectReferralsPriceFieldEvent | RejectReferralsAddrsFieldEvent | RejectReferralsBuyerFieldEvent>;
}
export interface Confirm {
    tradeId: Uint8Array<ArrayBuffer>;
    terms?: TradeTerms;
    buyerSignature: Uint8Array<ArrayBuffer>;
}
export declare namespace Confirm {
    const codec: () => Codec<Confirm>;
    interface ConfirmTradeIdFieldEvent {
        field: '$.tradeId';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ConfirmTermsVersionFieldEvent {
        field: '$.terms.version';
        value: number;
    }
    interface ConfirmTermsDistrictFieldEvent {
        field: '$.terms.district';
        value: string;
    }
    interface ConfirmTermsNegotiationFieldEvent {
        field: '$.terms.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ConfirmTermsBuyerFieldEvent {
        field: '$.terms.buyer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ConfirmTermsSellerFieldEvent {
        field: '$.terms.seller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface ConfirmTermsSlotFieldEvent {
        field: '$.terms.slot';
        value: bigint;
    }
    interface ConfirmTermsEnergyWhFieldEvent {
        field: '$.terms.energyWh';
        value: bigint;
    }
    interface ConfirmTermsPriceFieldEvent {
        field: '$.terms.price';
        value: bigint;
    }
    interface ConfirmTermsAgreedAtFieldEvent {
        field: '$.terms.agreedAt';
        value: bigint;
    }
    interface ConfirmTermsBuyerFeederFieldEvent {
        field: '$.terms.buyerFeeder';
        value: string;
    }
    interface ConfirmTermsSellerFeederFieldEvent {
        field: '$.terms.sellerFeeder';
        value: string;
    }
    interface ConfirmTermsGridFeeFieldEvent {
        field: '$.terms.gridFee';
        value: bigint;
    }
    interface ConfirmBuyerSignatureFieldEvent {
        field: '$.buyerSignature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Confirm>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Confirm>): Confirm;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Confirm>): Generator<ConfirmTradeIdFieldEvent | ConfirmTermsVersionFieldEvent | ConfirmTermsDistrictFieldEvent | ConfirmTermsNegotiationFieldEvent | ConfirmTermsBuyerFieldEvent | ConfirmTermsSellerFieldEvent | ConfirmTermsSlotFieldEvent | ConfirmTermsEnergyWhFieldEvent | ConfirmTermsPriceFieldEvent | ConfirmTermsAgreedAtFieldEvent | ConfirmTermsBuyerFeederFieldEvent | ConfirmTermsSellerFeederFieldEvent | ConfirmTermsGridFeeFieldEvent | ConfirmBuyerSignatureFieldEvent>;
}
export interface Committed {
    tradeId: Uint8Array<ArrayBuffer>;
}
export declare namespace Committed {
    const codec: () => Codec<Committed>;
    interface CommittedTradeIdFieldEvent {
        field: '$.tradeId';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Committed>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Committed>): Committed;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Committed>): Generator<CommittedTradeIdFieldEvent>;
}
export interface Trade {
    terms?: TradeTerms;
    buyerSignature: Uint8Array<ArrayBuffer>;
    sellerSignature: Uint8Array<ArrayBuffer>;
}
export declare namespace Trade {
    const codec: () => Codec<Trade>;
    interface TradeTermsVersionFieldEvent {
        field: '$.terms.version';
        value: number;
    }
    interface TradeTermsDistrictFieldEvent {
        field: '$.terms.district';
        value: string;
    }
    interface TradeTermsNegotiationFieldEvent {
        field: '$.terms.negotiation';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeTermsBuyerFieldEvent {
        field: '$.terms.buyer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeTermsSellerFieldEvent {
        field: '$.terms.seller';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeTermsSlotFieldEvent {
        field: '$.terms.slot';
        value: bigint;
    }
    interface TradeTermsEnergyWhFieldEvent {
        field: '$.terms.energyWh';
        value: bigint;
    }
    interface TradeTermsPriceFieldEvent {
        field: '$.terms.price';
        value: bigint;
    }
    interface TradeTermsAgreedAtFieldEvent {
        field: '$.terms.agreedAt';
        value: bigint;
    }
    interface TradeTermsBuyerFeederFieldEvent {
        field: '$.terms.buyerFeeder';
        value: string;
    }
    interface TradeTermsSellerFeederFieldEvent {
        field: '$.terms.sellerFeeder';
        value: string;
    }
    interface TradeTermsGridFeeFieldEvent {
        field: '$.terms.gridFee';
        value: bigint;
    }
    interface TradeBuyerSignatureFieldEvent {
        field: '$.buyerSignature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface TradeSellerSignatureFieldEvent {
        field: '$.sellerSignature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Trade>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Trade>): Trade;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Trade>): Generator<TradeTermsVersionFieldEvent | TradeTermsDistrictFieldEvent | TradeTermsNegotiationFieldEvent | TradeTermsBuyerFieldEvent | TradeTermsSellerFieldEvent | TradeTermsSlotFieldEvent | TradeTermsEnergyWhFieldEvent | TradeTermsPriceFieldEvent | TradeTermsAgreedAtFieldEvent | TradeTermsBuyerFeederFieldEvent | TradeTermsSellerFeederFieldEvent | TradeTermsGridFeeFieldEvent | TradeBuyerSignatureFieldEvent | TradeSellerSignatureFieldEvent>;
}
export interface Envelope {
    kind: string;
    body: Uint8Array<ArrayBuffer>;
    signer: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace Envelope {
    const codec: () => Codec<Envelope>;
    interface EnvelopeKindFieldEvent {
        field: '$.kind';
        value: string;
    }
    interface EnvelopeBodyFieldEvent {
        field: '$.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface EnvelopeSignerFieldEvent {
        field: '$.signer';
        value: Uint8Array<ArrayBuffer>;
    }
    interface EnvelopeSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Envelope>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeKindFieldEvent | EnvelopeBodyFieldEvent | EnvelopeSignerFieldEvent | EnvelopeSignatureFieldEvent>;
}
export interface MeterReading {
    version: number;
    meter: Uint8Array<ArrayBuffer>;
    slot: bigint;
    importWh: bigint;
    exportWh: bigint;
    prev: Uint8Array<ArrayBuffer>;
    at: bigint;
    signature: Uint8Array<ArrayBuffer>;
    gap: boolean;
    source: string;
}
export declare namespace MeterReading {
    const codec: () => Codec<MeterReading>;
    interface MeterReadingVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface MeterReadingMeterFieldEvent {
        field: '$.meter';
        value: Uint8Array<ArrayBuffer>;
    }
    interface MeterReadingSlotFieldEvent {
        field: '$.slot';
        value: bigint;
    }
    interface MeterReadingImportWhFieldEvent {
        field: '$.importWh';
        value: bigint;
    }
    interface MeterReadingExportWhFieldEvent {
        field: '$.exportWh';
        value: bigint;
    }
    interface MeterReadingPrevFieldEvent {
        field: '$.prev';
        value: Uint8Array<ArrayBuffer>;
    }
    interface MeterReadingAtFieldEvent {
        field: '$.at';
        value: bigint;
    }
    interface MeterReadingSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface MeterReadingGapFieldEvent {
        field: '$.gap';
        value: boolean;
    }
    interface MeterReadingSourceFieldEvent {
        field: '$.source';
        value: string;
    }
    function encode(obj: Partial<MeterReading>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MeterReading>): MeterReading;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MeterReading>): Generator<MeterReadingVersionFieldEvent | MeterReadingMeterFieldEvent | MeterReadingSlotFieldEvent | MeterReadingImportWhFieldEvent | MeterReadingExportWhFieldEvent | MeterReadingPrevFieldEvent | MeterReadingAtFieldEvent | MeterReadingSignatureFieldEvent | MeterReadingGapFieldEvent | MeterReadingSourceFieldEvent>;
}
