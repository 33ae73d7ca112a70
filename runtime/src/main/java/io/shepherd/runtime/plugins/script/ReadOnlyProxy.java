package io.shepherd.runtime.plugins.script;

import java.util.LinkedHashMap;
import java.util.Map;

import io.shepherd.plugins.api.RuntimeView;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/** A plain, read-only object handed to scripts: strings, numbers, booleans and nested objects, nothing else. */
final class ReadOnlyProxy implements ProxyObject {
    private final Map<String, Object> members;

    ReadOnlyProxy(Map<String, ?> members) {
        Map<String, Object> copy = new LinkedHashMap<>();
        members.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> m ? of(m) : v));
        this.members = copy;
    }

    /** The runtime view as scripts see it: plain data, read when the script is called. */
    static ReadOnlyProxy of(RuntimeView view) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("now", view.nowMillis());
        members.put("jobs", view.jobsByStatus());
        members.put("bots", view.botsByStatus());
        members.put("oldestPendingAgeMs", view.oldestPendingAgeMs());
        members.put("lastSweepAt", view.lastSweepAtMillis());
        return new ReadOnlyProxy(members);
    }

    @SuppressWarnings("unchecked")
    private static ReadOnlyProxy of(Map<?, ?> map) {
        return new ReadOnlyProxy((Map<String, ?>) map);
    }

    @Override
    public Object getMember(String key) {
        return members.get(key);
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromArray(members.keySet().toArray());
    }

    @Override
    public boolean hasMember(String key) {
        return members.containsKey(key);
    }

    @Override
    public void putMember(String key, Value value) {
        throw new UnsupportedOperationException("the runtime view is read-only");
    }

    @Override
    public boolean removeMember(String key) {
        throw new UnsupportedOperationException("the runtime view is read-only");
    }
}
