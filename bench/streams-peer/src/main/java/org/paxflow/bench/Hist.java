package org.paxflow.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A traveller's bounded history, as state/hist.c: at most 32 trips sorted by departure, carrier,
 * flight number (that triple deduplicates), the oldest evicted; retention against the latest
 * departure seen; at most 4 distinct document digests. Serialised compactly for the store.
 */
final class Hist {
    static final int MAX_TRIPS = 32;
    static final int MAX_DOCS = 4;

    static final class Trip {
        long departure;
        String carrier, flight, originAirport, originCountry, destinationAirport, destinationCountry;
        boolean outbound;
        int flags;
    }

    Trip[] trips = new Trip[MAX_TRIPS];
    int tripCount;
    long firstSeen = Long.MAX_VALUE, lastSeen = Long.MIN_VALUE;
    long[] docs = new long[MAX_DOCS];
    int docCount;

    private static int cmp(Trip a, Trip b) {
        if (a.departure != b.departure) return a.departure < b.departure ? -1 : 1;
        int c = a.carrier.compareTo(b.carrier);
        if (c != 0) return c;
        return a.flight.compareTo(b.flight);
    }

    private void dropOldest(int n) {
        if (n == 0) return;
        System.arraycopy(trips, n, trips, 0, tripCount - n);
        for (int i = tripCount - n; i < tripCount; i++) trips[i] = null;
        tripCount -= n;
    }

    void addTrip(Trip t, long retentionMs) {
        if (t.departure < firstSeen) firstSeen = t.departure;
        if (t.departure > lastSeen) lastSeen = t.departure;
        if (retentionMs > 0 && lastSeen >= Long.MIN_VALUE + retentionMs) {
            long cutoff = lastSeen - retentionMs;
            int n = 0;
            while (n < tripCount && trips[n].departure < cutoff) n++;
            dropOldest(n);
            if (t.departure < cutoff) return;
        }
        int pos = 0, c = 1;
        while (pos < tripCount && (c = cmp(trips[pos], t)) < 0) pos++;
        if (pos < tripCount && c == 0) {
            trips[pos].flags |= t.flags;
            return;
        }
        if (tripCount == MAX_TRIPS) {
            if (pos == 0) return;
            dropOldest(1);
            pos--;
        }
        System.arraycopy(trips, pos, trips, pos + 1, tripCount - pos);
        trips[pos] = t;
        tripCount++;
    }

    void addDoc(long digest) {
        for (int i = 0; i < docCount; i++) if (docs[i] == digest) return;
        if (docCount == MAX_DOCS) {
            System.arraycopy(docs, 1, docs, 0, MAX_DOCS - 1);
            docCount--;
        }
        docs[docCount++] = digest;
    }

    private static void putStr(ByteBuffer b, String s) {
        byte[] x = s.getBytes(StandardCharsets.UTF_8);
        b.put((byte) x.length);
        b.put(x);
    }

    private static String getStr(ByteBuffer b) {
        int n = b.get() & 0xff;
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(19 + 8 * MAX_DOCS + 60 * MAX_TRIPS);
        b.put((byte) 1).put((byte) docCount).put((byte) tripCount).putLong(firstSeen).putLong(lastSeen);
        for (int i = 0; i < docCount; i++) b.putLong(docs[i]);
        for (int i = 0; i < tripCount; i++) {
            Trip t = trips[i];
            b.putLong(t.departure);
            putStr(b, t.carrier);
            putStr(b, t.flight);
            putStr(b, t.originAirport);
            putStr(b, t.originCountry);
            putStr(b, t.destinationAirport);
            putStr(b, t.destinationCountry);
            b.put((byte) (t.outbound ? 1 : 0)).put((byte) t.flags);
        }
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        return out;
    }

    static Hist decode(byte[] v) {
        Hist h = new Hist();
        if (v == null) return h;
        ByteBuffer b = ByteBuffer.wrap(v);
        if (b.get() != 1) return new Hist(); /* unknown version: start afresh, as paxflow does */
        h.docCount = b.get();
        h.tripCount = b.get();
        h.firstSeen = b.getLong();
        h.lastSeen = b.getLong();
        for (int i = 0; i < h.docCount; i++) h.docs[i] = b.getLong();
        for (int i = 0; i < h.tripCount; i++) {
            Trip t = new Trip();
            t.departure = b.getLong();
            t.carrier = getStr(b);
            t.flight = getStr(b);
            t.originAirport = getStr(b);
            t.originCountry = getStr(b);
            t.destinationAirport = getStr(b);
            t.destinationCountry = getStr(b);
            t.outbound = b.get() != 0;
            t.flags = b.get();
            h.trips[i] = t;
        }
        return h;
    }
}
