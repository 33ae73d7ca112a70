package io.shepherd.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What {@link JsonText} writes reads back, through Parsson, as exactly what was written. */
class JsonTextTest {
    @Test
    void everyCharacterSurvivesTheTripThroughAParser() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x800; c++) {
            all.append(c);
        }
        all.append("\u2028\u2029\uFFFF").appendCodePoint(0x1F600).append("\"\\/ end");
        assertRoundTrip(all.toString());
        Random random = new Random(17);
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                int cp;
                do {
                    cp = random.nextInt(4) == 0 ? random.nextInt(0x20) : random.nextInt(0x10FFFF);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                s.appendCodePoint(cp);
            }
            assertRoundTrip(s.toString());
        }
    }

    @Test
    void membersNumbersBooleansNullsAndRawJsonMakeOneDocument() {
        JsonText text = new JsonText().raw("{").member("a", "x").comma().name("n").number(-42).comma().name("b").bool(true)
                .comma().member("none", null).comma().name("payload").raw("{\"k\":[1,2,{\"z\":null}]}").raw("}");
        JsonObject read = Json.createReader(new StringReader(new String(text.bytes(), StandardCharsets.UTF_8)))
                .readObject();
        assertEquals("x", read.getString("a"));
        assertEquals(-42, read.getInt("n"));
        assertEquals(true, read.getBoolean("b"));
        assertEquals(true, read.isNull("none"));
        assertEquals(2, read.getJsonObject("payload").getJsonArray("k").getInt(1));
    }

    private static void assertRoundTrip(String value) {
        byte[] written = new JsonText().raw("{").member("v", value).raw("}").bytes();
        JsonObject read = Json.createReader(new StringReader(new String(written, StandardCharsets.UTF_8))).readObject();
        assertEquals(value, read.getString("v"));
    }
}
