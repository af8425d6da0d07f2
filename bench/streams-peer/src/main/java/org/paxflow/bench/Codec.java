package org.paxflow.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Confluent wire format (0x00, 4-byte big-endian schema id, Avro binary) with the schemas shipped
 * in schemas/ (bundled in the jar). PassengerEvent v1 (id 1) and v2 (id 2) are resolved to the v2
 * reader schema with GenericDatumReader(writer, reader). Not thread-safe: one per processor.
 */
final class Codec {
    static final int MAX_MESSAGE_BYTES = 1 << 20;
    static final int RESULT_SCHEMA_ID = 10;

    static Schema load(String file) {
        try (InputStream in = Codec.class.getResourceAsStream("/" + file)) {
            if (in == null) throw new IllegalStateException("schema " + file + " not in the jar");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class DecodeException extends Exception {
        final String code;

        DecodeException(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }
    }

    static final class Leg {
        String originCountry, destinationCountry;
    }

    /** The fields the topology uses; strings are "" when absent. */
    static final class Event {
        String eventId, carrier, flightNumber, originAirport, originCountry, destinationAirport,
                destinationCountry;
        boolean pnr, outbound, hasBooking, hasDocument;
        long sentAt, departure;
        Utf8 surname, givenNames;
        String dob;
        String docNumber, docCountry;
        long bookedAt;
        boolean cash, oneWay;
        final List<Leg> legs = new ArrayList<>();
    }

    private final Schema reader = load("passenger_event.v2.avsc");
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    private BinaryDecoder decoder;
    private GenericRecord reuse;

    final Schema resultSchema = load("scored_result.v1.avsc");
    private final GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(resultSchema);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private BinaryEncoder encoder;

    Codec() {
        readers.put(1, new GenericDatumReader<>(load("passenger_event.v1.avsc"), reader));
        readers.put(2, new GenericDatumReader<>(reader, reader));
    }

    private static String str(GenericRecord r, String field, int cap) throws DecodeException {
        Object v = r.get(field);
        if (v == null) return "";
        if (v instanceof Utf8 u) {
            if (u.getByteLength() >= cap)
                throw new DecodeException("INVALID_VALUE", field + ": longer than allowed");
            byte[] b = u.getBytes();
            for (int i = 0; i < u.getByteLength(); i++)
                if (b[i] == 0) throw new DecodeException("INVALID_VALUE", field + ": embedded NUL");
            return u.toString();
        }
        return v.toString();
    }

    private static Utf8 utf8(GenericRecord r, String field, int cap) throws DecodeException {
        Object v = r.get(field);
        Utf8 u = v == null ? new Utf8("") : v instanceof Utf8 x ? x : new Utf8(v.toString());
        if (u.getByteLength() >= cap)
            throw new DecodeException("INVALID_VALUE", field + ": longer than allowed");
        byte[] b = u.getBytes();
        for (int i = 0; i < u.getByteLength(); i++)
            if (b[i] == 0) throw new DecodeException("INVALID_VALUE", field + ": embedded NUL");
        return u;
    }

    /** Decodes and validates one PassengerEvent, as pf_codec_decode_event() does. */
    Event decode(byte[] buf, Event ev) throws DecodeException {
        if (buf == null || buf.length < 5 || buf[0] != 0)
            throw new DecodeException("NOT_WIRE_FORMAT", "no magic byte and schema id");
        if (buf.length > MAX_MESSAGE_BYTES) throw new DecodeException("TOO_LARGE", "too large");
        int id = ((buf[1] & 0xff) << 24) | ((buf[2] & 0xff) << 16) | ((buf[3] & 0xff) << 8)
                | (buf[4] & 0xff);
        GenericDatumReader<GenericRecord> rd = readers.get(id);
        if (rd == null) {
            if (id == RESULT_SCHEMA_ID || id == 20 || id == 30)
                throw new DecodeException("WRONG_SCHEMA", "schema id " + id + " is not a PassengerEvent");
            throw new DecodeException("UNKNOWN_SCHEMA", "schema id " + id + " unknown");
        }
        GenericRecord r;
        try {
            decoder = DecoderFactory.get().binaryDecoder(buf, 5, buf.length - 5, decoder);
            r = rd.read(reuse, decoder);
            if (!decoder.isEnd()) throw new DecodeException("TRAILING", "trailing bytes");
        } catch (DecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            reuse = null;
            throw new DecodeException("AVRO", e.getClass().getSimpleName());
        }
        reuse = r;
        ev.eventId = str(r, "event_id", 64);
        ev.pnr = "PNR".equals(r.get("source").toString());
        ev.sentAt = (Long) r.get("sent_at");
        ev.carrier = str(r, "carrier", 4);
        GenericRecord f = (GenericRecord) r.get("flight");
        ev.flightNumber = str(f, "number", 8);
        ev.originAirport = str(f, "origin_airport", 4);
        ev.originCountry = str(f, "origin_country", 4);
        ev.destinationAirport = str(f, "destination_airport", 4);
        ev.destinationCountry = str(f, "destination_country", 4);
        ev.departure = (Long) f.get("scheduled_departure");
        ev.outbound = "OUTBOUND".equals(f.get("direction").toString());
        GenericRecord t = (GenericRecord) r.get("traveller");
        ev.givenNames = utf8(t, "given_names", 128);
        ev.surname = utf8(t, "surname", 128);
        ev.dob = str(t, "date_of_birth", 11);
        str(t, "nationality", 4);
        str(t, "residence", 4);
        GenericRecord d = (GenericRecord) r.get("document");
        ev.hasDocument = d != null;
        if (d != null) {
            ev.docNumber = str(d, "number", 32);
            ev.docCountry = str(d, "issuing_country", 4);
        }
        GenericRecord b = (GenericRecord) r.get("booking");
        ev.hasBooking = b != null;
        ev.legs.clear();
        if (b != null) {
            str(b, "record_locator", 8);
            ev.bookedAt = (Long) b.get("booked_at");
            ev.cash = "CASH".equals(b.get("payment_type").toString());
            ev.oneWay = "ONE_WAY".equals(b.get("trip_type").toString());
            str(b, "agency_id", 16);
            str(b, "agency_country", 4);
            str(b, "contact_phone", 64);
            str(b, "contact_email", 128);
            str(b, "frequent_flyer_id", 32);
            @SuppressWarnings("unchecked")
            List<GenericRecord> legs = (List<GenericRecord>) b.get("legs");
            if (legs.size() > 16) throw new DecodeException("TOO_LARGE", "booking.legs: more than 16");
            for (GenericRecord l : legs) {
                Leg leg = new Leg();
                str(l, "carrier", 4);
                str(l, "flight_number", 8);
                str(l, "origin_airport", 4);
                leg.originCountry = str(l, "origin_country", 4);
                str(l, "destination_airport", 4);
                leg.destinationCountry = str(l, "destination_country", 4);
                ev.legs.add(leg);
            }
        }
        String missing = null;
        if (ev.eventId.isEmpty()) missing = "event_id";
        else if (ev.carrier.isEmpty()) missing = "carrier";
        else if (ev.flightNumber.isEmpty()) missing = "flight.number";
        else if (ev.originAirport.isEmpty()) missing = "flight.origin_airport";
        else if (ev.destinationAirport.isEmpty()) missing = "flight.destination_airport";
        else if (ev.departure <= 0) missing = "flight.scheduled_departure";
        else if (ev.surname.getByteLength() == 0) missing = "traveller.surname";
        else if (ev.pnr && !ev.hasBooking) missing = "booking";
        if (missing != null) throw new DecodeException("MISSING_FIELD", missing + " missing");
        return ev;
    }

    /** Encodes a ScoredResult in the wire format with schema id 10. */
    byte[] encode(GenericRecord result) {
        out.reset();
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(RESULT_SCHEMA_ID);
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        try {
            writer.write(result, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static GenericData.EnumSymbol sym(Schema s, String v) {
        return new GenericData.EnumSymbol(s, v);
    }
}
