import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var Offer;
(function (Offer) {
    let _codec;
    Offer.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.slot != null && obj.slot !== 0n)) {
                    w.uint32(8);
                    w.uint64(obj.slot);
                }
                if ((obj.energyWh != null && obj.energyWh !== 0n)) {
                    w.uint32(16);
                    w.uint64(obj.energyWh);
                }
                if ((obj.price != null && obj.price !== 0n)) {
                    w.uint32(24);
                    w.uint64(obj.price);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    slot: 0n,
                    energyWh: 0n,
                    price: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.slot = reader.uint64();
                            break;
                        }
                        case 2: {
                            obj.energyWh = reader.uint64();
                            break;
                        }
                        case 3: {
                            obj.price = reader.uint64();
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
                                field: `${prefix}.slot`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.energyWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64()
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
        return encodeMessage(obj, Offer.codec());
    }
    Offer.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Offer.codec(), opts);
    }
    Offer.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Offer.codec(), opts);
    }
    Offer.stream = stream;
})(Offer || (Offer = {}));
export var Bid;
(function (Bid) {
    let _codec;
    Bid.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.slot != null && obj.slot !== 0n)) {
                    w.uint32(8);
                    w.uint64(obj.slot);
                }
                if ((obj.energyWh != null && obj.energyWh !== 0n)) {
                    w.uint32(16);
                    w.uint64(obj.energyWh);
                }
                if ((obj.price != null && obj.price !== 0n)) {
                    w.uint32(24);
                    w.uint64(obj.price);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    slot: 0n,
                    energyWh: 0n,
                    price: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.slot = reader.uint64();
                            break;
                        }
                        case 2: {
                            obj.energyWh = reader.uint64();
                            break;
                        }
                        case 3: {
                            obj.price = reader.uint64();
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
                                field: `${prefix}.slot`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.energyWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64()
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
        return encodeMessage(obj, Bid.codec());
    }
    Bid.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Bid.codec(), opts);
    }
    Bid.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Bid.codec(), opts);
    }
    Bid.stream = stream;
})(Bid || (Bid = {}));
export var Announcement;
(function (Announcement) {
    let _codec;
    Announcement.codec = () => {
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
                if ((obj.trader != null && obj.trader.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.trader);
                }
                if ((obj.seq != null && obj.seq !== 0n)) {
                    w.uint32(32);
                    w.uint64(obj.seq);
                }
                if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
                    w.uint32(40);
                    w.uint64(obj.issuedAt);
                }
                if ((obj.validUntil != null && obj.validUntil !== 0n)) {
                    w.uint32(48);
                    w.uint64(obj.validUntil);
                }
                if (obj.offers != null && obj.offers.length > 0) {
                    for (const value of obj.offers) {
                        w.uint32(58);
                        Offer.codec().encode(value, w);
                    }
                }
                if (obj.bids != null && obj.bids.length > 0) {
                    for (const value of obj.bids) {
                        w.uint32(66);
                        Bid.codec().encode(value, w);
                    }
                }
                if (obj.addrs != null && obj.addrs.length > 0) {
                    for (const value of obj.addrs) {
                        w.uint32(74);
                        w.bytes(value);
                    }
                }
                if ((obj.feeder != null && obj.feeder !== '')) {
                    w.uint32(82);
                    w.string(obj.feeder);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    trader: uint8ArrayAlloc(0),
                    seq: 0n,
                    issuedAt: 0n,
                    validUntil: 0n,
                    offers: [],
                    bids: [],
                    addrs: [],
                    feeder: ''
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
                            obj.trader = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.seq = reader.uint64();
                            break;
                        }
                        case 5: {
                            obj.issuedAt = reader.uint64();
                            break;
                        }
                        case 6: {
                            obj.validUntil = reader.uint64();
                            break;
                        }
                        case 7: {
                            if (opts.limits?.offers != null && obj.offers.length === opts.limits.offers) {
                                throw new MaxLengthError('Decode error - repeated field "offers" had too many elements');
                            }
                            obj.offers.push(Offer.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.offers$
                            }));
                            break;
                        }
                        case 8: {
                            if (opts.limits?.bids != null && obj.bids.length === opts.limits.bids) {
                                throw new MaxLengthError('Decode error - repeated field "bids" had too many elements');
                            }
                            obj.bids.push(Bid.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.bids$
                            }));
                            break;
                        }
                        case 9: {
                            if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements');
                            }
                            obj.addrs.push(reader.bytes());
                            break;
                        }
                        case 10: {
                            obj.feeder = reader.string();
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
                    offers: 0,
                    bids: 0,
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
                                field: `${prefix}.trader`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.seq`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.issuedAt`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.validUntil`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 7: {
                            if (opts.limits?.offers != null && obj.offers === opts.limits.offers) {
                                throw new MaxLengthError('Streaming decode error - repeated field "offers" had too many elements');
                            }
                            for (const evt of Offer.codec().stream(reader, reader.uint32(), `${prefix}.offers[]`, {
                                limits: opts.limits?.offers$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.offers
                                };
                            }
                            obj.offers++;
                            break;
                        }
                        case 8: {
                            if (opts.limits?.bids != null && obj.bids === opts.limits.bids) {
                                throw new MaxLengthError('Streaming decode error - repeated field "bids" had too many elements');
                            }
                            for (const evt of Bid.codec().stream(reader, reader.uint32(), `${prefix}.bids[]`, {
                                limits: opts.limits?.bids$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.bids
                                };
                            }
                            obj.bids++;
                            break;
                        }
                        case 9: {
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
                        case 10: {
                            yield {
                                field: `${prefix}.feeder`,
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
        return encodeMessage(obj, Announcement.codec());
    }
    Announcement.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Announcement.codec(), opts);
    }
    Announcement.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Announcement.codec(), opts);
    }
    Announcement.stream = stream;
})(Announcement || (Announcement = {}));
export var DigestEntry;
(function (DigestEntry) {
    let _codec;
    DigestEntry.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.trader != null && obj.trader.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.trader);
                }
                if ((obj.feeder != null && obj.feeder !== '')) {
                    w.uint32(18);
                    w.string(obj.feeder);
                }
                if ((obj.slot != null && obj.slot !== 0n)) {
                    w.uint32(24);
                    w.uint64(obj.slot);
                }
                if ((obj.energyWh != null && obj.energyWh !== 0n)) {
                    w.uint32(32);
                    w.uint64(obj.energyWh);
                }
                if ((obj.price != null && obj.price !== 0n)) {
                    w.uint32(40);
                    w.uint64(obj.price);
                }
                if (obj.addrs != null && obj.addrs.length > 0) {
                    for (const value of obj.addrs) {
                        w.uint32(50);
                        w.bytes(value);
                    }
                }
                if ((obj.buyer != null && obj.buyer.byteLength > 0)) {
                    w.uint32(58);
                    w.bytes(obj.buyer);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    trader: uint8ArrayAlloc(0),
                    feeder: '',
                    slot: 0n,
                    energyWh: 0n,
                    price: 0n,
                    addrs: [],
                    buyer: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.trader = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.feeder = reader.string();
                            break;
                        }
                        case 3: {
                            obj.slot = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.energyWh = reader.uint64();
                            break;
                        }
                        case 5: {
                            obj.price = reader.uint64();
                            break;
                        }
                        case 6: {
                            if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements');
                            }
                            obj.addrs.push(reader.bytes());
                            break;
                        }
                        case 7: {
                            obj.buyer = reader.bytes();
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
                    addrs: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.trader`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.feeder`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.slot`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.energyWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 6: {
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
                        case 7: {
                            yield {
                                field: `${prefix}.buyer`,
                                value: reader.bytes()
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
        return encodeMessage(obj, DigestEntry.codec());
    }
    DigestEntry.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, DigestEntry.codec(), opts);
    }
    DigestEntry.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, DigestEntry.codec(), opts);
    }
    DigestEntry.stream = stream;
})(DigestEntry || (DigestEntry = {}));
export var Digest;
(function (Digest) {
    let _codec;
    Digest.codec = () => {
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
                if ((obj.relay != null && obj.relay.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.relay);
                }
                if ((obj.feeder != null && obj.feeder !== '')) {
                    w.uint32(34);
                    w.string(obj.feeder);
                }
                if ((obj.seq != null && obj.seq !== 0n)) {
                    w.uint32(40);
                    w.uint64(obj.seq);
                }
                if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
                    w.uint32(48);
                    w.uint64(obj.issuedAt);
                }
                if ((obj.validUntil != null && obj.validUntil !== 0n)) {
                    w.uint32(56);
                    w.uint64(obj.validUntil);
                }
                if (obj.entries != null && obj.entries.length > 0) {
                    for (const value of obj.entries) {
                        w.uint32(66);
                        DigestEntry.codec().encode(value, w);
                    }
                }
                if (obj.bids != null && obj.bids.length > 0) {
                    for (const value of obj.bids) {
                        w.uint32(74);
                        DigestEntry.codec().encode(value, w);
                    }
                }
                if (obj.relayAddrs != null && obj.relayAddrs.length > 0) {
                    for (const value of obj.relayAddrs) {
                        w.uint32(82);
                        w.bytes(value);
                    }
                }
                if (obj.matched != null && obj.matched.length > 0) {
                    for (const value of obj.matched) {
                        w.uint32(90);
                        DigestEntry.codec().encode(value, w);
                    }
                }
                if ((obj.amends != null && obj.amends !== 0n)) {
                    w.uint32(96);
                    w.uint64(obj.amends);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    relay: uint8ArrayAlloc(0),
                    feeder: '',
                    seq: 0n,
                    issuedAt: 0n,
                    validUntil: 0n,
                    entries: [],
                    bids: [],
                    relayAddrs: [],
                    matched: [],
                    amends: 0n
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
                            obj.relay = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.feeder = reader.string();
                            break;
                        }
                        case 5: {
                            obj.seq = reader.uint64();
                            break;
                        }
                        case 6: {
                            obj.issuedAt = reader.uint64();
                            break;
                        }
                        case 7: {
                            obj.validUntil = reader.uint64();
                            break;
                        }
                        case 8: {
                            if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements');
                            }
                            obj.entries.push(DigestEntry.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.entries$
                            }));
                            break;
                        }
                        case 9: {
                            if (opts.limits?.bids != null && obj.bids.length === opts.limits.bids) {
                                throw new MaxLengthError('Decode error - repeated field "bids" had too many elements');
                            }
                            obj.bids.push(DigestEntry.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.bids$
                            }));
                            break;
                        }
                        case 10: {
                            if (opts.limits?.relayAddrs != null && obj.relayAddrs.length === opts.limits.relayAddrs) {
                                throw new MaxLengthError('Decode error - repeated field "relayAddrs" had too many elements');
                            }
                            obj.relayAddrs.push(reader.bytes());
                            break;
                        }
                        case 11: {
                            if (opts.limits?.matched != null && obj.matched.length === opts.limits.matched) {
                                throw new MaxLengthError('Decode error - repeated field "matched" had too many elements');
                            }
                            obj.matched.push(DigestEntry.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.matched$
                            }));
                            break;
                        }
                        case 12: {
                            obj.amends = reader.uint64();
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
                    entries: 0,
                    bids: 0,
                    relayAddrs: 0,
                    matched: 0
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
                                field: `${prefix}.relay`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.feeder`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.seq`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.issuedAt`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.validUntil`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 8: {
                            if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements');
                            }
                            for (const evt of DigestEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                                limits: opts.limits?.entries$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.entries
                                };
                            }
                            obj.entries++;
                            break;
                        }
                        case 9: {
                            if (opts.limits?.bids != null && obj.bids === opts.limits.bids) {
                                throw new MaxLengthError('Streaming decode error - repeated field "bids" had too many elements');
                            }
                            for (const evt of DigestEntry.codec().stream(reader, reader.uint32(), `${prefix}.bids[]`, {
                                limits: opts.limits?.bids$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.bids
                                };
                            }
                            obj.bids++;
                            break;
                        }
                        case 10: {
                            if (opts.limits?.relayAddrs != null && obj.relayAddrs === opts.limits.relayAddrs) {
                                throw new MaxLengthError('Streaming decode error - repeated field "relayAddrs" had too many elements');
                            }
                            yield {
                                field: `${prefix}.relayAddrs[]`,
                                index: obj.relayAddrs,
                                value: reader.bytes()
                            };
                            obj.relayAddrs++;
                            break;
                        }
                        case 11: {
                            if (opts.limits?.matched != null && obj.matched === opts.limits.matched) {
                                throw new MaxLengthError('Streaming decode error - repeated field "matched" had too many elements');
                            }
                            for (const evt of DigestEntry.codec().stream(reader, reader.uint32(), `${prefix}.matched[]`, {
                                limits: opts.limits?.matched$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.matched
                                };
                            }
                            obj.matched++;
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.amends`,
                                value: reader.uint64()
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
        return encodeMessage(obj, Digest.codec());
    }
    Digest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Digest.codec(), opts);
    }
    Digest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Digest.codec(), opts);
    }
    Digest.stream = stream;
})(Digest || (Digest = {}));
export var Proposal;
(function (Proposal) {
    let _codec;
    Proposal.codec = () => {
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
                if ((obj.buyer != null && obj.buyer.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.buyer);
                }
                if ((obj.seller != null && obj.seller.byteLength > 0)) {
                    w.uint32(42);
                    w.bytes(obj.seller);
                }
                if ((obj.slot != null && obj.slot !== 0n)) {
                    w.uint32(48);
                    w.uint64(obj.slot);
                }
                if ((obj.energyWh != null && obj.energyWh !== 0n)) {
                    w.uint32(56);
                    w.uint64(obj.energyWh);
                }
                if ((obj.price != null && obj.price !== 0n)) {
                    w.uint32(64);
                    w.uint64(obj.price);
                }
                if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
                    w.uint32(72);
                    w.uint64(obj.expiresAt);
                }
                if ((obj.round != null && obj.round !== 0)) {
                    w.uint32(80);
                    w.uint32(obj.round);
                }
                if ((obj.feeder != null && obj.feeder !== '')) {
                    w.uint32(90);
                    w.string(obj.feeder);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    id: uint8ArrayAlloc(0),
                    buyer: uint8ArrayAlloc(0),
                    seller: uint8ArrayAlloc(0),
                    slot: 0n,
                    energyWh: 0n,
                    price: 0n,
                    expiresAt: 0n,
                    round: 0,
                    feeder: ''
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
                            obj.buyer = reader.bytes();
                            break;
                        }
                        case 5: {
                            obj.seller = reader.bytes();
                            break;
                        }
                        case 6: {
                            obj.slot = reader.uint64();
                            break;
                        }
                        case 7: {
                            obj.energyWh = reader.uint64();
                            break;
                        }
                        case 8: {
                            obj.price = reader.uint64();
                            break;
                        }
                        case 9: {
                            obj.expiresAt = reader.uint64();
                            break;
                        }
                        case 10: {
                            obj.round = reader.uint32();
                            break;
                        }
                        case 11: {
                            obj.feeder = reader.string();
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
                                field: `${prefix}.id`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.buyer`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.seller`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.slot`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.energyWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.expiresAt`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.round`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.feeder`,
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
        return encodeMessage(obj, Proposal.codec());
    }
    Proposal.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Proposal.codec(), opts);
    }
    Proposal.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Proposal.codec(), opts);
    }
    Proposal.stream = stream;
})(Proposal || (Proposal = {}));
export var TradeTerms;
(function (TradeTerms) {
    let _codec;
    TradeTerms.codec = () => {
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
                if ((obj.negotiation != null && obj.negotiation.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.negotiation);
                }
                if ((obj.buyer != null && obj.buyer.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.buyer);
                }
                if ((obj.seller != null && obj.seller.byteLength > 0)) {
                    w.uint32(42);
                    w.bytes(obj.seller);
                }
                if ((obj.slot != null && obj.slot !== 0n)) {
                    w.uint32(48);
                    w.uint64(obj.slot);
                }
                if ((obj.energyWh != null && obj.energyWh !== 0n)) {
                    w.uint32(56);
                    w.uint64(obj.energyWh);
                }
                if ((obj.price != null && obj.price !== 0n)) {
                    w.uint32(64);
                    w.uint64(obj.price);
                }
                if ((obj.agreedAt != null && obj.agreedAt !== 0n)) {
                    w.uint32(72);
                    w.uint64(obj.agreedAt);
                }
                if ((obj.buyerFeeder != null && obj.buyerFeeder !== '')) {
                    w.uint32(82);
                    w.string(obj.buyerFeeder);
                }
                if ((obj.sellerFeeder != null && obj.sellerFeeder !== '')) {
                    w.uint32(90);
                    w.string(obj.sellerFeeder);
                }
                if ((obj.gridFee != null && obj.gridFee !== 0n)) {
                    w.uint32(96);
                    w.uint64(obj.gridFee);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    district: '',
                    negotiation: uint8ArrayAlloc(0),
                    buyer: uint8ArrayAlloc(0),
                    seller: uint8ArrayAlloc(0),
                    slot: 0n,
                    energyWh: 0n,
                    price: 0n,
                    agreedAt: 0n,
                    buyerFeeder: '',
                    sellerFeeder: '',
                    gridFee: 0n
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
                            obj.negotiation = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.buyer = reader.bytes();
                            break;
                        }
                        case 5: {
                            obj.seller = reader.bytes();
                            break;
                        }
                        case 6: {
                            obj.slot = reader.uint64();
                            break;
                        }
                        case 7: {
                            obj.energyWh = reader.uint64();
                            break;
                        }
                        case 8: {
                            obj.price = reader.uint64();
                            break;
                        }
                        case 9: {
                            obj.agreedAt = reader.uint64();
                            break;
                        }
                        case 10: {
                            obj.buyerFeeder = reader.string();
                            break;
                        }
                        case 11: {
                            obj.sellerFeeder = reader.string();
                            break;
                        }
                        case 12: {
                            obj.gridFee = reader.uint64();
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
                                field: `${prefix}.negotiation`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.buyer`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.seller`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.slot`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.energyWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.agreedAt`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.buyerFeeder`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.sellerFeeder`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.gridFee`,
                                value: reader.uint64()
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
        return encodeMessage(obj, TradeTerms.codec());
    }
    TradeTerms.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, TradeTerms.codec(), opts);
    }
    TradeTerms.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, TradeTerms.codec(), opts);
    }
    TradeTerms.stream = stream;
})(TradeTerms || (TradeTerms = {}));
export var Accept;
(function (Accept) {
    let _codec;
    Accept.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.negotiation != null && obj.negotiation.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.negotiation);
                }
                if (obj.terms != null) {
                    w.uint32(18);
                    TradeTerms.codec().encode(obj.terms, w);
                }
                if ((obj.sellerSignature != null && obj.sellerSignature.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.sellerSignature);
                }
                if ((obj.holdUntil != null && obj.holdUntil !== 0n)) {
                    w.uint32(32);
                    w.uint64(obj.holdUntil);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    negotiation: uint8ArrayAlloc(0),
                    sellerSignature: uint8ArrayAlloc(0),
                    holdUntil: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.negotiation = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.terms = TradeTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            obj.sellerSignature = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.holdUntil = reader.uint64();
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
                                field: `${prefix}.negotiation`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield* TradeTerms.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.sellerSignature`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.holdUntil`,
                                value: reader.uint64()
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
        return encodeMessage(obj, Accept.codec());
    }
    Accept.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Accept.codec(), opts);
    }
    Accept.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Accept.codec(), opts);
    }
    Accept.stream = stream;
})(Accept || (Accept = {}));
export var Counter;
(function (Counter) {
    let _codec;
    Counter.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.negotiation != null && obj.negotiation.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.negotiation);
                }
                if ((obj.energyWh != null && obj.energyWh !== 0n)) {
                    w.uint32(16);
                    w.uint64(obj.energyWh);
                }
                if ((obj.price != null && obj.price !== 0n)) {
                    w.uint32(24);
                    w.uint64(obj.price);
                }
                if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
                    w.uint32(32);
                    w.uint64(obj.expiresAt);
                }
                if ((obj.round != null && obj.round !== 0)) {
                    w.uint32(40);
                    w.uint32(obj.round);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    negotiation: uint8ArrayAlloc(0),
                    energyWh: 0n,
                    price: 0n,
                    expiresAt: 0n,
                    round: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.negotiation = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.energyWh = reader.uint64();
                            break;
                        }
                        case 3: {
                            obj.price = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.expiresAt = reader.uint64();
                            break;
                        }
                        case 5: {
                            obj.round = reader.uint32();
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
                                field: `${prefix}.negotiation`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.energyWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.price`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.expiresAt`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.round`,
                                value: reader.uint32()
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
        return encodeMessage(obj, Counter.codec());
    }
    Counter.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Counter.codec(), opts);
    }
    Counter.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Counter.codec(), opts);
    }
    Counter.stream = stream;
})(Counter || (Counter = {}));
export var Reject;
(function (Reject) {
    let _codec;
    Reject.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.negotiation != null && obj.negotiation.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.negotiation);
                }
                if ((obj.code != null && obj.code !== '')) {
                    w.uint32(18);
                    w.string(obj.code);
                }
                if ((obj.detail != null && obj.detail !== '')) {
                    w.uint32(26);
                    w.string(obj.detail);
                }
                if (obj.referrals != null && obj.referrals.length > 0) {
                    for (const value of obj.referrals) {
                        w.uint32(34);
                        DigestEntry.codec().encode(value, w);
                    }
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    negotiation: uint8ArrayAlloc(0),
                    code: '',
                    detail: '',
                    referrals: []
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.negotiation = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.code = reader.string();
                            break;
                        }
                        case 3: {
                            obj.detail = reader.string();
                            break;
                        }
                        case 4: {
                            if (opts.limits?.referrals != null && obj.referrals.length === opts.limits.referrals) {
                                throw new MaxLengthError('Decode error - repeated field "referrals" had too many elements');
                            }
                            obj.referrals.push(DigestEntry.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.referrals$
                            }));
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
                    referrals: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.negotiation`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.code`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.detail`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            if (opts.limits?.referrals != null && obj.referrals === opts.limits.referrals) {
                                throw new MaxLengthError('Streaming decode error - repeated field "referrals" had too many elements');
                            }
                            for (const evt of DigestEntry.codec().stream(reader, reader.uint32(), `${prefix}.referrals[]`, {
                                limits: opts.limits?.referrals$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.referrals
                                };
                            }
                            obj.referrals++;
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
        return encodeMessage(obj, Reject.codec());
    }
    Reject.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Reject.codec(), opts);
    }
    Reject.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Reject.codec(), opts);
    }
    Reject.stream = stream;
})(Reject || (Reject = {}));
export var Confirm;
(function (Confirm) {
    let _codec;
    Confirm.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.tradeId != null && obj.tradeId.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.tradeId);
                }
                if (obj.terms != null) {
                    w.uint32(18);
                    TradeTerms.codec().encode(obj.terms, w);
                }
                if ((obj.buyerSignature != null && obj.buyerSignature.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.buyerSignature);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    tradeId: uint8ArrayAlloc(0),
                    buyerSignature: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.tradeId = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.terms = TradeTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            obj.buyerSignature = reader.bytes();
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
                                field: `${prefix}.tradeId`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield* TradeTerms.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.buyerSignature`,
                                value: reader.bytes()
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
        return encodeMessage(obj, Confirm.codec());
    }
    Confirm.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Confirm.codec(), opts);
    }
    Confirm.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Confirm.codec(), opts);
    }
    Confirm.stream = stream;
})(Confirm || (Confirm = {}));
export var Committed;
(function (Committed) {
    let _codec;
    Committed.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.tradeId != null && obj.tradeId.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.tradeId);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    tradeId: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.tradeId = reader.bytes();
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
                                field: `${prefix}.tradeId`,
                                value: reader.bytes()
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
        return encodeMessage(obj, Committed.codec());
    }
    Committed.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Committed.codec(), opts);
    }
    Committed.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Committed.codec(), opts);
    }
    Committed.stream = stream;
})(Committed || (Committed = {}));
export var Trade;
(function (Trade) {
    let _codec;
    Trade.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.terms != null) {
                    w.uint32(10);
                    TradeTerms.codec().encode(obj.terms, w);
                }
                if ((obj.buyerSignature != null && obj.buyerSignature.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.buyerSignature);
                }
                if ((obj.sellerSignature != null && obj.sellerSignature.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.sellerSignature);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    buyerSignature: uint8ArrayAlloc(0),
                    sellerSignature: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.terms = TradeTerms.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 2: {
                            obj.buyerSignature = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.sellerSignature = reader.bytes();
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
                            yield* TradeTerms.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                                limits: opts.limits?.terms
                            });
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.buyerSignature`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.sellerSignature`,
                                value: reader.bytes()
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
        return encodeMessage(obj, Trade.codec());
    }
    Trade.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Trade.codec(), opts);
    }
    Trade.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Trade.codec(), opts);
    }
    Trade.stream = stream;
})(Trade || (Trade = {}));
export var Envelope;
(function (Envelope) {
    let _codec;
    Envelope.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.kind != null && obj.kind !== '')) {
                    w.uint32(10);
                    w.string(obj.kind);
                }
                if ((obj.body != null && obj.body.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.body);
                }
                if ((obj.signer != null && obj.signer.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.signer);
                }
                if ((obj.signature != null && obj.signature.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.signature);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    kind: '',
                    body: uint8ArrayAlloc(0),
                    signer: uint8ArrayAlloc(0),
                    signature: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.kind = reader.string();
                            break;
                        }
                        case 2: {
                            obj.body = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.signer = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.signature = reader.bytes();
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
                                field: `${prefix}.kind`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.body`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.signer`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.signature`,
                                value: reader.bytes()
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
        return encodeMessage(obj, Envelope.codec());
    }
    Envelope.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Envelope.codec(), opts);
    }
    Envelope.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Envelope.codec(), opts);
    }
    Envelope.stream = stream;
})(Envelope || (Envelope = {}));
export var MeterReading;
(function (MeterReading) {
    let _codec;
    MeterReading.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.meter != null && obj.meter.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.meter);
                }
                if ((obj.slot != null && obj.slot !== 0n)) {
                    w.uint32(24);
                    w.uint64(obj.slot);
                }
                if ((obj.importWh != null && obj.importWh !== 0n)) {
                    w.uint32(32);
                    w.uint64(obj.importWh);
                }
                if ((obj.exportWh != null && obj.exportWh !== 0n)) {
                    w.uint32(40);
                    w.uint64(obj.exportWh);
                }
                if ((obj.prev != null && obj.prev.byteLength > 0)) {
                    w.uint32(50);
                    w.bytes(obj.prev);
                }
                if ((obj.at != null && obj.at !== 0n)) {
                    w.uint32(56);
                    w.uint64(obj.at);
                }
                if ((obj.signature != null && obj.signature.byteLength > 0)) {
                    w.uint32(66);
                    w.bytes(obj.signature);
                }
                if ((obj.gap != null && obj.gap !== false)) {
                    w.uint32(72);
                    w.bool(obj.gap);
                }
                if ((obj.source != null && obj.source !== '')) {
                    w.uint32(82);
                    w.string(obj.source);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    meter: uint8ArrayAlloc(0),
                    slot: 0n,
                    importWh: 0n,
                    exportWh: 0n,
                    prev: uint8ArrayAlloc(0),
                    at: 0n,
                    signature: uint8ArrayAlloc(0),
                    gap: false,
                    source: ''
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
                            obj.meter = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.slot = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.importWh = reader.uint64();
                            break;
                        }
                        case 5: {
                            obj.exportWh = reader.uint64();
                            break;
                        }
                        case 6: {
                            obj.prev = reader.bytes();
                            break;
                        }
                        case 7: {
                            obj.at = reader.uint64();
                            break;
                        }
                        case 8: {
                            obj.signature = reader.bytes();
                            break;
                        }
                        case 9: {
                            obj.gap = reader.bool();
                            break;
                        }
                        case 10: {
                            obj.source = reader.string();
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
                                field: `${prefix}.meter`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.slot`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.importWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.exportWh`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.prev`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.at`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.signature`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.gap`,
                                value: reader.bool()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.source`,
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
        return encodeMessage(obj, MeterReading.codec());
    }
    MeterReading.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, MeterReading.codec(), opts);
    }
    MeterReading.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, MeterReading.codec(), opts);
    }
    MeterReading.stream = stream;
})(MeterReading || (MeterReading = {}));
