import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var PricingSegment;
(function (PricingSegment) {
    let _codec;
    PricingSegment.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.start != null && obj.start !== 0)) {
                    w.uint32(8);
                    w.uint64Number(obj.start);
                }
                if ((obj.rate != null && obj.rate !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.rate);
                }
                if ((obj.interval != null && obj.interval !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.interval);
                }
                if ((obj.end != null && obj.end !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.end);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    start: 0,
                    rate: 0,
                    interval: 0,
                    end: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.start = reader.uint64Number();
                            break;
                        }
                        case 2: {
                            obj.rate = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.interval = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            obj.end = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.start`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.rate`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.interval`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.end`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, PricingSegment.codec());
    }
    PricingSegment.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PricingSegment.codec(), opts);
    }
    PricingSegment.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PricingSegment.codec(), opts);
    }
    PricingSegment.stream = stream;
})(PricingSegment || (PricingSegment = {}));
export var PricingPlan;
(function (PricingPlan) {
    let _codec;
    PricingPlan.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.planId != null && obj.planId !== '')) {
                    w.uint32(10);
                    w.string(obj.planId);
                }
                if ((obj.price != null && obj.price !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.price);
                }
                if (obj.perMinPricing != null && obj.perMinPricing.length > 0) {
                    for (const value of obj.perMinPricing) {
                        w.uint32(26);
                        PricingSegment.codec().encode(value, w);
                    }
                }
                if (obj.perKmPricing != null && obj.perKmPricing.length > 0) {
                    for (const value of obj.perKmPricing) {
                        w.uint32(34);
                        PricingSegment.codec().encode(value, w);
                    }
                }
                if ((obj.maxPrice != null && obj.maxPrice !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.maxPrice);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    planId: '',
                    price: 0,
                    perMinPricing: [],
                    perKmPricing: [],
                    maxPrice: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.planId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.price = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            if (opts.limits?.perMinPricing != null && obj.perMinPricing.length === opts.limits.perMinPricing) {
                                throw new MaxLengthError('Decode error - repeated field "perMinPricing" had too many elements');
                            }
                            obj.perMinPricing.push(PricingSegment.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.perMinPricing$
                            }));
                            break;
                        }
                        case 4: {
                            if (opts.limits?.perKmPricing != null && obj.perKmPricing.length === opts.limits.perKmPricing) {
                                throw new MaxLengthError('Decode error - repeated field "perKmPricing" had too many elements');
                            }
                            obj.perKmPricing.push(PricingSegment.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.perKmPricing$
                            }));
                            break;
                        }
                        case 5: {
                            obj.maxPrice = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const obj = {
                    perMinPricing: 0,
                    perKmPricing: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.planId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            if (opts.limits?.perMinPricing != null && obj.perMinPricing === opts.limits.perMinPricing) {
                                throw new MaxLengthError('Streaming decode error - repeated field "perMinPricing" had too many elements');
                            }
                            for (const evt of PricingSegment.codec().stream(reader, reader.uint32(), `${prefix}.perMinPricing[]`, {
                                limits: opts.limits?.perMinPricing$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.perMinPricing
                                };
                            }
                            obj.perMinPricing++;
                            break;
                        }
                        case 4: {
                            if (opts.limits?.perKmPricing != null && obj.perKmPricing === opts.limits.perKmPricing) {
                                throw new MaxLengthError('Streaming decode error - repeated field "perKmPricing" had too many elements');
                            }
                            for (const evt of PricingSegment.codec().stream(reader, reader.uint32(), `${prefix}.perKmPricing[]`, {
                                limits: opts.limits?.perKmPricing$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.perKmPricing
                                };
                            }
                            obj.perKmPricing++;
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.maxPrice`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, PricingPlan.codec());
    }
    PricingPlan.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PricingPlan.codec(), opts);
    }
    PricingPlan.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PricingPlan.codec(), opts);
    }
    PricingPlan.stream = stream;
})(PricingPlan || (PricingPlan = {}));
export var CancellationTerms;
(function (CancellationTerms) {
    let _codec;
    CancellationTerms.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.freeUntilS != null && obj.freeUntilS !== 0)) {
                    w.uint32(8);
                    w.uint64Number(obj.freeUntilS);
                }
                if ((obj.feeNanos != null && obj.feeNanos !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.feeNanos);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    freeUntilS: 0,
                    feeNanos: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.freeUntilS = reader.uint64Number();
                            break;
                        }
                        case 2: {
                            obj.feeNanos = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.freeUntilS`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.feeNanos`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, CancellationTerms.codec());
    }
    CancellationTerms.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, CancellationTerms.codec(), opts);
    }
    CancellationTerms.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, CancellationTerms.codec(), opts);
    }
    CancellationTerms.stream = stream;
})(CancellationTerms || (CancellationTerms = {}));
export var ServiceOffer;
(function (ServiceOffer) {
    let _codec;
    ServiceOffer.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.district != null && obj.district !== '')) {
                    w.uint32(18);
                    w.string(obj.district);
                }
                if ((obj.provider != null && obj.provider.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.provider);
                }
                if ((obj.seq != null && obj.seq !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.seq);
                }
                if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.issuedAt);
                }
                if ((obj.validUntil != null && obj.validUntil !== 0)) {
                    w.uint32(48);
                    w.uint64Number(obj.validUntil);
                }
                if ((obj.mode != null && obj.mode !== '')) {
                    w.uint32(58);
                    w.string(obj.mode);
                }
                if ((obj.assetId != null && obj.assetId !== '')) {
                    w.uint32(66);
                    w.string(obj.assetId);
                }
                if (obj.zones != null && obj.zones.length > 0) {
                    for (const value of obj.zones) {
                        w.uint32(74);
                        w.string(value);
                    }
                }
                if ((obj.availableFrom != null && obj.availableFrom !== 0)) {
                    w.uint32(80);
                    w.uint64Number(obj.availableFrom);
                }
                if ((obj.availableUntil != null && obj.availableUntil !== 0)) {
                    w.uint32(88);
                    w.uint64Number(obj.availableUntil);
                }
                if ((obj.capacity != null && obj.capacity !== 0)) {
                    w.uint32(96);
                    w.uint32(obj.capacity);
                }
                if ((obj.socWh != null && obj.socWh !== 0)) {
                    w.uint32(104);
                    w.uint64Number(obj.socWh);
                }
                if ((obj.rangeM != null && obj.rangeM !== 0)) {
                    w.uint32(112);
                    w.uint64Number(obj.rangeM);
                }
                if (obj.pricing != null) {
                    w.uint32(122);
                    PricingPlan.codec().encode(obj.pricing, w);
                }
                if ((obj.co2GPerKm != null && obj.co2GPerKm !== 0)) {
                    w.uint32(128);
                    w.uint64Number(obj.co2GPerKm);
                }
                if ((obj.agencyId != null && obj.agencyId !== '')) {
                    w.uint32(138);
                    w.string(obj.agencyId);
                }
                if (obj.addrs != null && obj.addrs.length > 0) {
                    for (const value of obj.addrs) {
                        w.uint32(146);
                        w.bytes(value);
                    }
                }
                if ((obj.latE6 != null && obj.latE6 !== 0)) {
                    w.uint32(152);
                    w.sint64Number(obj.latE6);
                }
                if ((obj.lonE6 != null && obj.lonE6 !== 0)) {
                    w.uint32(160);
                    w.sint64Number(obj.lonE6);
                }
                if (obj.cancellation != null) {
                    w.uint32(170);
                    CancellationTerms.codec().encode(obj.cancellation, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    provider: uint8ArrayAlloc(0),
                    seq: 0,
                    issuedAt: 0,
                    validUntil: 0,
                    mode: '',
                    assetId: '',
                    zones: [],
                    availableFrom: 0,
                    availableUntil: 0,
                    capacity: 0,
                    socWh: 0,
                    rangeM: 0,
                    co2GPerKm: 0,
                    agencyId: '',
                    addrs: [],
                    latE6: 0,
                    lonE6: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.district = reader.string();
                            break;
                        }
                        case 3: {
                            obj.provider = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.seq = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            obj.issuedAt = reader.uint64Number();
                            break;
                        }
                        case 6: {
                            obj.validUntil = reader.uint64Number();
                            break;
                        }
                        case 7: {
                            obj.mode = reader.string();
                            break;
                        }
                        case 8: {
                            obj.assetId = reader.string();
                            break;
                        }
                        case 9: {
                            if (opts.limits?.zones != null && obj.zones.length === opts.limits.zones) {
                                throw new MaxLengthError('Decode error - repeated field "zones" had too many elements');
                            }
                            obj.zones.push(reader.string());
                            break;
                        }
                        case 10: {
                            obj.availableFrom = reader.uint64Number();
                            break;
                        }
                        case 11: {
                            obj.availableUntil = reader.uint64Number();
                            break;
                        }
                        case 12: {
                            obj.capacity = reader.uint32();
                            break;
                        }
                        case 13: {
                            obj.socWh = reader.uint64Number();
                            break;
                        }
                        case 14: {
                            obj.rangeM = reader.uint64Number();
                            break;
                        }
                        case 15: {
                            obj.pricing = PricingPlan.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.pricing
                            });
                            break;
                        }
                        case 16: {
                            obj.co2GPerKm = reader.uint64Number();
                            break;
                        }
                        case 17: {
                            obj.agencyId = reader.string();
                            break;
                        }
                        case 18: {
                            if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements');
                            }
                            obj.addrs.push(reader.bytes());
                            break;
                        }
                        case 19: {
                            obj.latE6 = reader.sint64Number();
                            break;
                        }
                        case 20: {
                            obj.lonE6 = reader.sint64Number();
                            break;
                        }
                        case 21: {
                            obj.cancellation = CancellationTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.cancellation
                            });
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const obj = {
                    zones: 0,
                    addrs: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.district`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.provider`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.seq`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.issuedAt`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.validUntil`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.mode`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.assetId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 9: {
                            if (opts.limits?.zones != null && obj.zones === opts.limits.zones) {
                                throw new MaxLengthError('Streaming decode error - repeated field "zones" had too many elements');
                            }
                            yield {
                                field: `${prefix}.zones[]`,
                                index: obj.zones,
                                value: reader.string()
                            };
                            obj.zones++;
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.availableFrom`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.availableUntil`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.capacity`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 13: {
                            yield {
                                field: `${prefix}.socWh`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 14: {
                            yield {
                                field: `${prefix}.rangeM`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 15: {
                            yield* PricingPlan.codec().stream(reader, reader.uint32(), `${prefix}.pricing`, {
                                limits: opts.limits?.pricing
                            });
                            break;
                        }
                        case 16: {
                            yield {
                                field: `${prefix}.co2GPerKm`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 17: {
                            yield {
                                field: `${prefix}.agencyId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 18: {
                            if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements');
                            }
                            yield {
                                field: `${prefix}.addrs[]`,
                                index: obj.addrs,
                                value: reader.bytes()
                            };
                            obj.addrs++;
                            break;
                        }
                        case 19: {
                            yield {
                                field: `${prefix}.latE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 20: {
                            yield {
                                field: `${prefix}.lonE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 21: {
                            yield* CancellationTerms.codec().stream(reader, reader.uint32(), `${prefix}.cancellation`, {
                                limits: opts.limits?.cancellation
                            });
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, ServiceOffer.codec());
    }
    ServiceOffer.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, ServiceOffer.codec(), opts);
    }
    ServiceOffer.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, ServiceOffer.codec(), opts);
    }
    ServiceOffer.stream = stream;
})(ServiceOffer || (ServiceOffer = {}));
export var QuoteRequest;
(function (QuoteRequest) {
    let _codec;
    QuoteRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.district != null && obj.district !== '')) {
                    w.uint32(18);
                    w.string(obj.district);
                }
                if ((obj.id != null && obj.id.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.id);
                }
                if ((obj.traveller != null && obj.traveller.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.traveller);
                }
                if ((obj.fromZone != null && obj.fromZone !== '')) {
                    w.uint32(42);
                    w.string(obj.fromZone);
                }
                if ((obj.toZone != null && obj.toZone !== '')) {
                    w.uint32(50);
                    w.string(obj.toZone);
                }
                if ((obj.departAfter != null && obj.departAfter !== 0)) {
                    w.uint32(56);
                    w.uint64Number(obj.departAfter);
                }
                if ((obj.arriveBy != null && obj.arriveBy !== 0)) {
                    w.uint32(64);
                    w.uint64Number(obj.arriveBy);
                }
                if ((obj.travellers != null && obj.travellers !== 0)) {
                    w.uint32(72);
                    w.uint32(obj.travellers);
                }
                if (obj.modes != null && obj.modes.length > 0) {
                    for (const value of obj.modes) {
                        w.uint32(82);
                        w.string(value);
                    }
                }
                if ((obj.maxWalkingM != null && obj.maxWalkingM !== 0)) {
                    w.uint32(88);
                    w.uint64Number(obj.maxWalkingM);
                }
                if (obj.accessibility != null && obj.accessibility.length > 0) {
                    for (const value of obj.accessibility) {
                        w.uint32(98);
                        w.string(value);
                    }
                }
                if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
                    w.uint32(104);
                    w.uint64Number(obj.expiresAt);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    id: uint8ArrayAlloc(0),
                    traveller: uint8ArrayAlloc(0),
                    fromZone: '',
                    toZone: '',
                    departAfter: 0,
                    arriveBy: 0,
                    travellers: 0,
                    modes: [],
                    maxWalkingM: 0,
                    accessibility: [],
                    expiresAt: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.district = reader.string();
                            break;
                        }
                        case 3: {
                            obj.id = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.traveller = reader.bytes();
                            break;
                        }
                        case 5: {
                            obj.fromZone = reader.string();
                            break;
                        }
                        case 6: {
                            obj.toZone = reader.string();
                            break;
                        }
                        case 7: {
                            obj.departAfter = reader.uint64Number();
                            break;
                        }
                        case 8: {
                            obj.arriveBy = reader.uint64Number();
                            break;
                        }
                        case 9: {
                            obj.travellers = reader.uint32();
                            break;
                        }
                        case 10: {
                            if (opts.limits?.modes != null && obj.modes.length === opts.limits.modes) {
                                throw new MaxLengthError('Decode error - repeated field "modes" had too many elements');
                            }
                            obj.modes.push(reader.string());
                            break;
                        }
                        case 11: {
                            obj.maxWalkingM = reader.uint64Number();
                            break;
                        }
                        case 12: {
                            if (opts.limits?.accessibility != null && obj.accessibility.length === opts.limits.accessibility) {
                                throw new MaxLengthError('Decode error - repeated field "accessibility" had too many elements');
                            }
                            obj.accessibility.push(reader.string());
                            break;
                        }
                        case 13: {
                            obj.expiresAt = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const obj = {
                    modes: 0,
                    accessibility: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.district`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.id`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.traveller`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.fromZone`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.toZone`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.departAfter`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.arriveBy`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.travellers`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 10: {
                            if (opts.limits?.modes != null && obj.modes === opts.limits.modes) {
                                throw new MaxLengthError('Streaming decode error - repeated field "modes" had too many elements');
                            }
                            yield {
                                field: `${prefix}.modes[]`,
                                index: obj.modes,
                                value: reader.string()
                            };
                            obj.modes++;
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.maxWalkingM`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 12: {
                            if (opts.limits?.accessibility != null && obj.accessibility === opts.limits.accessibility) {
                                throw new MaxLengthError('Streaming decode error - repeated field "accessibility" had too many elements');
                            }
                            yield {
                                field: `${prefix}.accessibility[]`,
                                index: obj.accessibility,
                                value: reader.string()
                            };
                            obj.accessibility++;
                            break;
                        }
                        case 13: {
                            yield {
                                field: `${prefix}.expiresAt`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, QuoteRequest.codec());
    }
    QuoteRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, QuoteRequest.codec(), opts);
    }
    QuoteRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, QuoteRequest.codec(), opts);
    }
    QuoteRequest.stream = stream;
})(QuoteRequest || (QuoteRequest = {}));
export var QuotedLeg;
(function (QuotedLeg) {
    let _codec;
    QuotedLeg.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.legId != null && obj.legId !== '')) {
                    w.uint32(10);
                    w.string(obj.legId);
                }
                if ((obj.mode != null && obj.mode !== '')) {
                    w.uint32(18);
                    w.string(obj.mode);
                }
                if ((obj.assetId != null && obj.assetId !== '')) {
                    w.uint32(26);
                    w.string(obj.assetId);
                }
                if ((obj.fromLatE6 != null && obj.fromLatE6 !== 0)) {
                    w.uint32(32);
                    w.sint64Number(obj.fromLatE6);
                }
                if ((obj.fromLonE6 != null && obj.fromLonE6 !== 0)) {
                    w.uint32(40);
                    w.sint64Number(obj.fromLonE6);
                }
                if ((obj.toLatE6 != null && obj.toLatE6 !== 0)) {
                    w.uint32(48);
                    w.sint64Number(obj.toLatE6);
                }
                if ((obj.toLonE6 != null && obj.toLonE6 !== 0)) {
                    w.uint32(56);
                    w.sint64Number(obj.toLonE6);
                }
                if ((obj.availableFrom != null && obj.availableFrom !== 0)) {
                    w.uint32(64);
                    w.uint64Number(obj.availableFrom);
                }
                if ((obj.availableUntil != null && obj.availableUntil !== 0)) {
                    w.uint32(72);
                    w.uint64Number(obj.availableUntil);
                }
                if ((obj.durationS != null && obj.durationS !== 0)) {
                    w.uint32(80);
                    w.uint64Number(obj.durationS);
                }
                if ((obj.distanceM != null && obj.distanceM !== 0)) {
                    w.uint32(88);
                    w.uint64Number(obj.distanceM);
                }
                if ((obj.price != null && obj.price !== 0)) {
                    w.uint32(96);
                    w.uint64Number(obj.price);
                }
                if ((obj.co2G != null && obj.co2G !== 0)) {
                    w.uint32(104);
                    w.uint64Number(obj.co2G);
                }
                if (obj.pricing != null) {
                    w.uint32(114);
                    PricingPlan.codec().encode(obj.pricing, w);
                }
                if (obj.cancellation != null) {
                    w.uint32(122);
                    CancellationTerms.codec().encode(obj.cancellation, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    legId: '',
                    mode: '',
                    assetId: '',
                    fromLatE6: 0,
                    fromLonE6: 0,
                    toLatE6: 0,
                    toLonE6: 0,
                    availableFrom: 0,
                    availableUntil: 0,
                    durationS: 0,
                    distanceM: 0,
                    price: 0,
                    co2G: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.legId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.mode = reader.string();
                            break;
                        }
                        case 3: {
                            obj.assetId = reader.string();
                            break;
                        }
                        case 4: {
                            obj.fromLatE6 = reader.sint64Number();
                            break;
                        }
                        case 5: {
                            obj.fromLonE6 = reader.sint64Number();
                            break;
                        }
                        case 6: {
                            obj.toLatE6 = reader.sint64Number();
                            break;
                        }
                        case 7: {
                            obj.toLonE6 = reader.sint64Number();
                            break;
                        }
                        case 8: {
                            obj.availableFrom = reader.uint64Number();
                            break;
                        }
                        case 9: {
                            obj.availableUntil = reader.uint64Number();
                            break;
                        }
                        case 10: {
                            obj.durationS = reader.uint64Number();
                            break;
                        }
                        case 11: {
                            obj.distanceM = reader.uint64Number();
                            break;
                        }
                        case 12: {
                            obj.price = reader.uint64Number();
                            break;
                        }
                        case 13: {
                            obj.co2G = reader.uint64Number();
                            break;
                        }
                        case 14: {
                            obj.pricing = PricingPlan.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.pricing
                            });
                            break;
                        }
                        case 15: {
                            obj.cancellation = CancellationTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.cancellation
                            });
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.legId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.mode`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.assetId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.fromLatE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.fromLonE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.toLatE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.toLonE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.availableFrom`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.availableUntil`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.durationS`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.distanceM`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 13: {
                            yield {
                                field: `${prefix}.co2G`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 14: {
                            yield* PricingPlan.codec().stream(reader, reader.uint32(), `${prefix}.pricing`, {
                                limits: opts.limits?.pricing
                            });
                            break;
                        }
                        case 15: {
                            yield* CancellationTerms.codec().stream(reader, reader.uint32(), `${prefix}.cancellation`, {
                                limits: opts.limits?.cancellation
                            });
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, QuotedLeg.codec());
    }
    QuotedLeg.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, QuotedLeg.codec(), opts);
    }
    QuotedLeg.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, QuotedLeg.codec(), opts);
    }
    QuotedLeg.stream = stream;
})(QuotedLeg || (QuotedLeg = {}));
export var Quote;
(function (Quote) {
    let _codec;
    Quote.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.request != null && obj.request.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.request);
                }
                if ((obj.provider != null && obj.provider.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.provider);
                }
                if ((obj.traveller != null && obj.traveller.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.traveller);
                }
                if (obj.legs != null && obj.legs.length > 0) {
                    for (const value of obj.legs) {
                        w.uint32(42);
                        QuotedLeg.codec().encode(value, w);
                    }
                }
                if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
                    w.uint32(48);
                    w.uint64Number(obj.issuedAt);
                }
                if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
                    w.uint32(56);
                    w.uint64Number(obj.expiresAt);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    request: uint8ArrayAlloc(0),
                    provider: uint8ArrayAlloc(0),
                    traveller: uint8ArrayAlloc(0),
                    legs: [],
                    issuedAt: 0,
                    expiresAt: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.request = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.provider = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.traveller = reader.bytes();
                            break;
                        }
                        case 5: {
                            if (opts.limits?.legs != null && obj.legs.length === opts.limits.legs) {
                                throw new MaxLengthError('Decode error - repeated field "legs" had too many elements');
                            }
                            obj.legs.push(QuotedLeg.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.legs$
                            }));
                            break;
                        }
                        case 6: {
                            obj.issuedAt = reader.uint64Number();
                            break;
                        }
                        case 7: {
                            obj.expiresAt = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const obj = {
                    legs: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.request`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.provider`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.traveller`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 5: {
                            if (opts.limits?.legs != null && obj.legs === opts.limits.legs) {
                                throw new MaxLengthError('Streaming decode error - repeated field "legs" had too many elements');
                            }
                            for (const evt of QuotedLeg.codec().stream(reader, reader.uint32(), `${prefix}.legs[]`, {
                                limits: opts.limits?.legs$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.legs
                                };
                            }
                            obj.legs++;
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.issuedAt`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.expiresAt`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, Quote.codec());
    }
    Quote.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Quote.codec(), opts);
    }
    Quote.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Quote.codec(), opts);
    }
    Quote.stream = stream;
})(Quote || (Quote = {}));
export var LegTerms;
(function (LegTerms) {
    let _codec;
    LegTerms.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.district != null && obj.district !== '')) {
                    w.uint32(18);
                    w.string(obj.district);
                }
                if ((obj.package != null && obj.package.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.package);
                }
                if ((obj.legId != null && obj.legId !== '')) {
                    w.uint32(34);
                    w.string(obj.legId);
                }
                if ((obj.traveller != null && obj.traveller.byteLength > 0)) {
                    w.uint32(42);
                    w.bytes(obj.traveller);
                }
                if ((obj.provider != null && obj.provider.byteLength > 0)) {
                    w.uint32(50);
                    w.bytes(obj.provider);
                }
                if ((obj.mode != null && obj.mode !== '')) {
                    w.uint32(58);
                    w.string(obj.mode);
                }
                if ((obj.resource != null && obj.resource !== '')) {
                    w.uint32(66);
                    w.string(obj.resource);
                }
                if ((obj.from != null && obj.from !== 0)) {
                    w.uint32(72);
                    w.uint64Number(obj.from);
                }
                if ((obj.to != null && obj.to !== 0)) {
                    w.uint32(80);
                    w.uint64Number(obj.to);
                }
                if ((obj.units != null && obj.units !== 0)) {
                    w.uint32(88);
                    w.uint32(obj.units);
                }
                if ((obj.departureTime != null && obj.departureTime !== 0)) {
                    w.uint32(96);
                    w.uint64Number(obj.departureTime);
                }
                if ((obj.arrivalTime != null && obj.arrivalTime !== 0)) {
                    w.uint32(104);
                    w.uint64Number(obj.arrivalTime);
                }
                if ((obj.price != null && obj.price !== 0)) {
                    w.uint32(112);
                    w.uint64Number(obj.price);
                }
                if (obj.pricing != null) {
                    w.uint32(122);
                    PricingPlan.codec().encode(obj.pricing, w);
                }
                if (obj.cancellation != null) {
                    w.uint32(130);
                    CancellationTerms.codec().encode(obj.cancellation, w);
                }
                if ((obj.fromStopId != null && obj.fromStopId !== '')) {
                    w.uint32(138);
                    w.string(obj.fromStopId);
                }
                if ((obj.toStopId != null && obj.toStopId !== '')) {
                    w.uint32(146);
                    w.string(obj.toStopId);
                }
                if ((obj.distanceM != null && obj.distanceM !== 0)) {
                    w.uint32(152);
                    w.uint64Number(obj.distanceM);
                }
                if ((obj.co2G != null && obj.co2G !== 0)) {
                    w.uint32(160);
                    w.uint64Number(obj.co2G);
                }
                if ((obj.toLatE6 != null && obj.toLatE6 !== 0)) {
                    w.uint32(168);
                    w.sint64Number(obj.toLatE6);
                }
                if ((obj.toLonE6 != null && obj.toLonE6 !== 0)) {
                    w.uint32(176);
                    w.sint64Number(obj.toLonE6);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    package: uint8ArrayAlloc(0),
                    legId: '',
                    traveller: uint8ArrayAlloc(0),
                    provider: uint8ArrayAlloc(0),
                    mode: '',
                    resource: '',
                    from: 0,
                    to: 0,
                    units: 0,
                    departureTime: 0,
                    arrivalTime: 0,
                    price: 0,
                    fromStopId: '',
                    toStopId: '',
                    distanceM: 0,
                    co2G: 0,
                    toLatE6: 0,
                    toLonE6: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.district = reader.string();
                            break;
                        }
                        case 3: {
                            obj.package = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.legId = reader.string();
                            break;
                        }
                        case 5: {
                            obj.traveller = reader.bytes();
                            break;
                        }
                        case 6: {
                            obj.provider = reader.bytes();
                            break;
                        }
                        case 7: {
                            obj.mode = reader.string();
                            break;
                        }
                        case 8: {
                            obj.resource = reader.string();
                            break;
                        }
                        case 9: {
                            obj.from = reader.uint64Number();
                            break;
                        }
                        case 10: {
                            obj.to = reader.uint64Number();
                            break;
                        }
                        case 11: {
                            obj.units = reader.uint32();
                            break;
                        }
                        case 12: {
                            obj.departureTime = reader.uint64Number();
                            break;
                        }
                        case 13: {
                            obj.arrivalTime = reader.uint64Number();
                            break;
                        }
                        case 14: {
                            obj.price = reader.uint64Number();
                            break;
                        }
                        case 15: {
                            obj.pricing = PricingPlan.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.pricing
                            });
                            break;
                        }
                        case 16: {
                            obj.cancellation = CancellationTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.cancellation
                            });
                            break;
                        }
                        case 17: {
                            obj.fromStopId = reader.string();
                            break;
                        }
                        case 18: {
                            obj.toStopId = reader.string();
                            break;
                        }
                        case 19: {
                            obj.distanceM = reader.uint64Number();
                            break;
                        }
                        case 20: {
                            obj.co2G = reader.uint64Number();
                            break;
                        }
                        case 21: {
                            obj.toLatE6 = reader.sint64Number();
                            break;
                        }
                        case 22: {
                            obj.toLonE6 = reader.sint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.district`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.package`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.legId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.traveller`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.provider`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.mode`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.resource`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.from`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.to`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.units`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.departureTime`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 13: {
                            yield {
                                field: `${prefix}.arrivalTime`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 14: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 15: {
                            yield* PricingPlan.codec().stream(reader, reader.uint32(), `${prefix}.pricing`, {
                                limits: opts.limits?.pricing
                            });
                            break;
                        }
                        case 16: {
                            yield* CancellationTerms.codec().stream(reader, reader.uint32(), `${prefix}.cancellation`, {
                                limits: opts.limits?.cancellation
                            });
                            break;
                        }
                        case 17: {
                            yield {
                                field: `${prefix}.fromStopId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 18: {
                            yield {
                                field: `${prefix}.toStopId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 19: {
                            yield {
                                field: `${prefix}.distanceM`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 20: {
                            yield {
                                field: `${prefix}.co2G`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 21: {
                            yield {
                                field: `${prefix}.toLatE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        case 22: {
                            yield {
                                field: `${prefix}.toLonE6`,
                                value: reader.sint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, LegTerms.codec());
    }
    LegTerms.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LegTerms.codec(), opts);
    }
    LegTerms.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LegTerms.codec(), opts);
    }
    LegTerms.stream = stream;
})(LegTerms || (LegTerms = {}));
export var HoldRequest;
(function (HoldRequest) {
    let _codec;
    HoldRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.terms != null) {
                    w.uint32(10);
                    LegTerms.codec().encode(obj.terms, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {};
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.terms = LegTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield* LegTerms.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, HoldRequest.codec());
    }
    HoldRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, HoldRequest.codec(), opts);
    }
    HoldRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, HoldRequest.codec(), opts);
    }
    HoldRequest.stream = stream;
})(HoldRequest || (HoldRequest = {}));
export var Held;
(function (Held) {
    let _codec;
    Held.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leg != null && obj.leg.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.leg);
                }
                if (obj.terms != null) {
                    w.uint32(18);
                    LegTerms.codec().encode(obj.terms, w);
                }
                if ((obj.providerSignature != null && obj.providerSignature.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.providerSignature);
                }
                if ((obj.holdUntil != null && obj.holdUntil !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.holdUntil);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leg: uint8ArrayAlloc(0),
                    providerSignature: uint8ArrayAlloc(0),
                    holdUntil: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leg = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.terms = LegTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            obj.providerSignature = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.holdUntil = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.leg`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield* LegTerms.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.providerSignature`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.holdUntil`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, Held.codec());
    }
    Held.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Held.codec(), opts);
    }
    Held.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Held.codec(), opts);
    }
    Held.stream = stream;
})(Held || (Held = {}));
export var Commit;
(function (Commit) {
    let _codec;
    Commit.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leg != null && obj.leg.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.leg);
                }
                if (obj.terms != null) {
                    w.uint32(18);
                    LegTerms.codec().encode(obj.terms, w);
                }
                if ((obj.travellerSignature != null && obj.travellerSignature.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.travellerSignature);
                }
                if ((obj.paymentKey != null && obj.paymentKey !== '')) {
                    w.uint32(34);
                    w.string(obj.paymentKey);
                }
                if ((obj.paymentDigest != null && obj.paymentDigest !== '')) {
                    w.uint32(42);
                    w.string(obj.paymentDigest);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leg: uint8ArrayAlloc(0),
                    travellerSignature: uint8ArrayAlloc(0),
                    paymentKey: '',
                    paymentDigest: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leg = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.terms = LegTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            obj.travellerSignature = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.paymentKey = reader.string();
                            break;
                        }
                        case 5: {
                            obj.paymentDigest = reader.string();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.leg`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield* LegTerms.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.travellerSignature`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.paymentKey`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.paymentDigest`,
                                value: reader.string()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, Commit.codec());
    }
    Commit.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Commit.codec(), opts);
    }
    Commit.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Commit.codec(), opts);
    }
    Commit.stream = stream;
})(Commit || (Commit = {}));
export var LegState;
(function (LegState) {
    let _codec;
    LegState.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leg != null && obj.leg.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.leg);
                }
                if ((obj.status != null && obj.status !== '')) {
                    w.uint32(18);
                    w.string(obj.status);
                }
                if ((obj.fee != null && obj.fee !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.fee);
                }
                if ((obj.refund != null && obj.refund !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.refund);
                }
                if ((obj.refundDigest != null && obj.refundDigest !== '')) {
                    w.uint32(42);
                    w.string(obj.refundDigest);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leg: uint8ArrayAlloc(0),
                    status: '',
                    fee: 0,
                    refund: 0,
                    refundDigest: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leg = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.status = reader.string();
                            break;
                        }
                        case 3: {
                            obj.fee = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            obj.refund = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            obj.refundDigest = reader.string();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.leg`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.status`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.fee`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.refund`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.refundDigest`,
                                value: reader.string()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, LegState.codec());
    }
    LegState.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LegState.codec(), opts);
    }
    LegState.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LegState.codec(), opts);
    }
    LegState.stream = stream;
})(LegState || (LegState = {}));
export var Release;
(function (Release) {
    let _codec;
    Release.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leg != null && obj.leg.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.leg);
                }
                if ((obj.package != null && obj.package.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.package);
                }
                if ((obj.legId != null && obj.legId !== '')) {
                    w.uint32(26);
                    w.string(obj.legId);
                }
                if ((obj.cancel != null && obj.cancel !== false)) {
                    w.uint32(32);
                    w.bool(obj.cancel);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leg: uint8ArrayAlloc(0),
                    package: uint8ArrayAlloc(0),
                    legId: '',
                    cancel: false
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leg = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.package = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.legId = reader.string();
                            break;
                        }
                        case 4: {
                            obj.cancel = reader.bool();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.leg`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.package`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.legId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.cancel`,
                                value: reader.bool()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, Release.codec());
    }
    Release.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Release.codec(), opts);
    }
    Release.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Release.codec(), opts);
    }
    Release.stream = stream;
})(Release || (Release = {}));
export var BookingReject;
(function (BookingReject) {
    let _codec;
    BookingReject.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.package != null && obj.package.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.package);
                }
                if ((obj.legId != null && obj.legId !== '')) {
                    w.uint32(18);
                    w.string(obj.legId);
                }
                if ((obj.code != null && obj.code !== '')) {
                    w.uint32(26);
                    w.string(obj.code);
                }
                if ((obj.detail != null && obj.detail !== '')) {
                    w.uint32(34);
                    w.string(obj.detail);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    package: uint8ArrayAlloc(0),
                    legId: '',
                    code: '',
                    detail: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.package = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.legId = reader.string();
                            break;
                        }
                        case 3: {
                            obj.code = reader.string();
                            break;
                        }
                        case 4: {
                            obj.detail = reader.string();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.package`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.legId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.code`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.detail`,
                                value: reader.string()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, BookingReject.codec());
    }
    BookingReject.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, BookingReject.codec(), opts);
    }
    BookingReject.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, BookingReject.codec(), opts);
    }
    BookingReject.stream = stream;
})(BookingReject || (BookingReject = {}));
export var UsageReport;
(function (UsageReport) {
    let _codec;
    UsageReport.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leg != null && obj.leg.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.leg);
                }
                if ((obj.seq != null && obj.seq !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.seq);
                }
                if ((obj.seconds != null && obj.seconds !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.seconds);
                }
                if ((obj.metres != null && obj.metres !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.metres);
                }
                if ((obj.at != null && obj.at !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.at);
                }
                if ((obj.ended != null && obj.ended !== false)) {
                    w.uint32(48);
                    w.bool(obj.ended);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leg: uint8ArrayAlloc(0),
                    seq: 0,
                    seconds: 0,
                    metres: 0,
                    at: 0,
                    ended: false
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leg = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.seq = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.seconds = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            obj.metres = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            obj.at = reader.uint64Number();
                            break;
                        }
                        case 6: {
                            obj.ended = reader.bool();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.leg`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.seq`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.seconds`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.metres`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.at`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.ended`,
                                value: reader.bool()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, UsageReport.codec());
    }
    UsageReport.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, UsageReport.codec(), opts);
    }
    UsageReport.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, UsageReport.codec(), opts);
    }
    UsageReport.stream = stream;
})(UsageReport || (UsageReport = {}));
export var UsageReceipt;
(function (UsageReceipt) {
    let _codec;
    UsageReceipt.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.district != null && obj.district !== '')) {
                    w.uint32(18);
                    w.string(obj.district);
                }
                if ((obj.leg != null && obj.leg.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.leg);
                }
                if ((obj.nonce != null && obj.nonce !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.nonce);
                }
                if ((obj.seconds != null && obj.seconds !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.seconds);
                }
                if ((obj.metres != null && obj.metres !== 0)) {
                    w.uint32(48);
                    w.uint64Number(obj.metres);
                }
                if ((obj.total != null && obj.total !== 0)) {
                    w.uint32(56);
                    w.uint64Number(obj.total);
                }
                if ((obj.payer != null && obj.payer.byteLength > 0)) {
                    w.uint32(66);
                    w.bytes(obj.payer);
                }
                if ((obj.payee != null && obj.payee.byteLength > 0)) {
                    w.uint32(74);
                    w.bytes(obj.payee);
                }
                if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
                    w.uint32(80);
                    w.uint64Number(obj.issuedAt);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    leg: uint8ArrayAlloc(0),
                    nonce: 0,
                    seconds: 0,
                    metres: 0,
                    total: 0,
                    payer: uint8ArrayAlloc(0),
                    payee: uint8ArrayAlloc(0),
                    issuedAt: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.district = reader.string();
                            break;
                        }
                        case 3: {
                            obj.leg = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.nonce = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            obj.seconds = reader.uint64Number();
                            break;
                        }
                        case 6: {
                            obj.metres = reader.uint64Number();
                            break;
                        }
                        case 7: {
                            obj.total = reader.uint64Number();
                            break;
                        }
                        case 8: {
                            obj.payer = reader.bytes();
                            break;
                        }
                        case 9: {
                            obj.payee = reader.bytes();
                            break;
                        }
                        case 10: {
                            obj.issuedAt = reader.uint64Number();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.district`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.leg`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.nonce`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.seconds`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.metres`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.total`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.payer`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.payee`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.issuedAt`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, UsageReceipt.codec());
    }
    UsageReceipt.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, UsageReceipt.codec(), opts);
    }
    UsageReceipt.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, UsageReceipt.codec(), opts);
    }
    UsageReceipt.stream = stream;
})(UsageReceipt || (UsageReceipt = {}));
