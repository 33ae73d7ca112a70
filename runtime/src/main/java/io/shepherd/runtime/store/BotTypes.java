package io.shepherd.runtime.store;

import java.io.StringReader;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;

/** How a bot's job types are kept in its row: a JSON array of strings. */
final class BotTypes {
    private static final JsonReaderFactory READERS = Json.createReaderFactory(null);

    private BotTypes() {
    }

    static List<String> parse(String json) {
        try (var reader = READERS.createReader(new StringReader(json))) {
            JsonArray array = reader.readArray();
            return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
        }
    }

    static String format(List<String> types) {
        var builder = Json.createArrayBuilder();
        types.forEach(builder::add);
        return builder.build().toString();
    }
}
