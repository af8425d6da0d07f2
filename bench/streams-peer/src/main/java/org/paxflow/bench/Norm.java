package org.paxflow.bench;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.Transliterator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Name and document-number normalisation, byte for byte as paxflow's workers/normalize.c:
 * ASCII fast path (letters upper-cased, anything else separates tokens, one space between
 * tokens, none leading/trailing); non-ASCII: strict UTF-8, C0/DEL to space, ICU
 * "Any-Latin; Latin-ASCII", then ASCII letters kept, non-ASCII letters and marks dropped without
 * splitting, anything else separates. Not thread-safe (one instance per processor).
 */
final class Norm {
    static final int NAME_IN_MAX = 256;

    /** Thrown for the inputs paxflow rejects (the event goes to the dead-letter topic). */
    static final class NormException extends Exception {
        final String code;

        NormException(String code) {
            super(code, null, false, false);
            this.code = code;
        }
    }

    private final Transliterator trans = Transliterator.getInstance("Any-Latin; Latin-ASCII");
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final StringBuilder sink = new StringBuilder(64);
    private boolean sepPending;

    private void letter(char upper) {
        if (sepPending && sink.length() > 0) sink.append(' ');
        sepPending = false;
        sink.append(upper);
    }

    private static char asciiUpper(int c) {
        if (c >= 'A' && c <= 'Z') return (char) c;
        if (c >= 'a' && c <= 'z') return (char) (c - 'a' + 'A');
        return 0;
    }

    /**
     * Normalises a name given as UTF-8 bytes [0, len).
     *
     * @return the canonical ASCII form; "" is never returned (MISSING_FIELD instead)
     */
    String name(byte[] in, int len) throws NormException {
        if (len > NAME_IN_MAX) throw new NormException("TOO_LARGE");
        sink.setLength(0);
        sepPending = false;
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            if (in[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            for (int i = 0; i < len; i++) {
                char u = asciiUpper(in[i]);
                if (u != 0) letter(u);
                else sepPending = true;
            }
        } else {
            CharBuffer cb;
            try {
                cb = utf8.reset().decode(ByteBuffer.wrap(in, 0, len));
            } catch (CharacterCodingException e) {
                throw new NormException("BAD_UTF8");
            }
            char[] chars = new char[cb.remaining()];
            cb.get(chars);
            for (int i = 0; i < chars.length; i++)
                if (chars[i] < 0x20 || chars[i] == 0x7F) chars[i] = ' ';
            String t = trans.transliterate(new String(chars));
            for (int i = 0; i < t.length(); ) {
                int c = t.codePointAt(i);
                i += Character.charCount(c);
                char u = asciiUpper(c);
                if (u != 0) {
                    letter(u);
                } else if (c >= 0x80 && isLetterOrMark(c)) {
                    continue;
                } else {
                    sepPending = true;
                }
            }
        }
        if (sink.length() == 0) throw new NormException("MISSING_FIELD");
        return sink.toString();
    }

    private static boolean isLetterOrMark(int c) {
        int t = UCharacter.getType(c);
        switch (t) {
            case UCharacter.UPPERCASE_LETTER:
            case UCharacter.LOWERCASE_LETTER:
            case UCharacter.TITLECASE_LETTER:
            case UCharacter.MODIFIER_LETTER:
            case UCharacter.OTHER_LETTER:
            case UCharacter.NON_SPACING_MARK:
            case UCharacter.ENCLOSING_MARK:
            case UCharacter.COMBINING_SPACING_MARK:
                return true;
            default:
                return false;
        }
    }

    /** pf_norm_docnum: ASCII letters upper-cased and digits kept; non-ASCII alnum rejects. */
    static String docnum(String in) throws NormException {
        StringBuilder sb = new StringBuilder(in.length());
        boolean foreign = false;
        for (int i = 0; i < in.length(); ) {
            int c = in.codePointAt(i);
            i += Character.charCount(c);
            char u = asciiUpper(c);
            if (u != 0) sb.append(u);
            else if (c >= '0' && c <= '9') sb.append((char) c);
            else if (c >= 0x80 && UCharacter.isLetterOrDigit(c)) foreign = true;
        }
        if (foreign) throw new NormException("INVALID_VALUE");
        if (sb.length() == 0) throw new NormException("MISSING_FIELD");
        return sb.toString();
    }
}
