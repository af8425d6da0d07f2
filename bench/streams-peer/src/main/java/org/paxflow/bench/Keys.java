package org.paxflow.bench;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * Traveller keys and document digests, as workers/key.c: keyed BLAKE2b (libsodium
 * crypto_generichash = BLAKE2b with the secret as key, no salt or personalisation).
 */
final class Keys {
    private static final byte[] TAG_TRAV = {'t', 'r', 'a', 'v', 0};
    private static final byte[] TAG_DIG = {'d', 'i', 'g', 0};
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte[] secret;
    private final Blake2bDigest trav;
    private final Blake2bDigest dig;
    private final byte[] out16 = new byte[16];
    private final Norm norm = new Norm();

    Keys(byte[] secret) {
        this.secret = secret.clone();
        this.trav = new Blake2bDigest(this.secret, 16, null, null);
        this.dig = new Blake2bDigest(this.secret, 16, null, null);
    }

    private static boolean dobShapeOk(String dob) {
        int len = dob.length();
        if (len != 0 && len != 4 && len != 7 && len != 10) return false;
        for (int i = 0; i < len; i++) {
            char c = dob.charAt(i);
            boolean dash = i == 4 || i == 7;
            if (dash ? c != '-' : (c < '0' || c > '9')) return false;
        }
        return true;
    }

    /** @return the 32-hex-character traveller key of the event */
    String traveller(Codec.Event ev) throws Norm.NormException {
        String surname = norm.name(ev.surname.getBytes(), ev.surname.getByteLength());
        String given;
        try {
            given = norm.name(ev.givenNames.getBytes(), ev.givenNames.getByteLength());
        } catch (Norm.NormException e) {
            if (!e.code.equals("MISSING_FIELD")) throw e;
            given = ""; /* mononymous traveller */
        }
        if (!dobShapeOk(ev.dob)) throw new Norm.NormException("INVALID_VALUE");
        trav.reset();
        trav.update(TAG_TRAV, 0, TAG_TRAV.length);
        byte[] s = surname.getBytes(StandardCharsets.US_ASCII);
        trav.update(s, 0, s.length);
        trav.update((byte) 0);
        byte[] g = given.getBytes(StandardCharsets.US_ASCII);
        trav.update(g, 0, g.length);
        trav.update((byte) 0);
        byte[] d = ev.dob.getBytes(StandardCharsets.US_ASCII);
        trav.update(d, 0, d.length);
        trav.doFinal(out16, 0);
        char[] hex = new char[32];
        for (int i = 0; i < 16; i++) {
            hex[2 * i] = HEX[(out16[i] >> 4) & 0xf];
            hex[2 * i + 1] = HEX[out16[i] & 0xf];
        }
        return new String(hex);
    }

    /** pf_key_digest(key, "doc", docnum|country): first 8 bytes of a 16-byte hash, little-endian. */
    long docDigest(String docnumNorm, String country) {
        dig.reset();
        dig.update(TAG_DIG, 0, TAG_DIG.length);
        dig.update((byte) 'd');
        dig.update((byte) 'o');
        dig.update((byte) 'c');
        dig.update((byte) 0);
        byte[] data = (docnumNorm + "|" + country).getBytes(StandardCharsets.UTF_8);
        dig.update(data, 0, data.length);
        dig.doFinal(out16, 0);
        long v = 0;
        for (int i = 0; i < 8; i++) v |= (long) (out16[i] & 0xff) << (8 * i);
        return v;
    }
}
