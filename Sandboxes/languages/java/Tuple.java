// Proctor's own small org.javatuples: MultiPL-E's Java prompts import org.javatuples.* and its
// tests build tuples with Pair.with(…), Triplet.with(…); compiled beside every Java function task.
package org.javatuples;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

public abstract class Tuple implements Iterable<Object>, Comparable<Tuple>, java.io.Serializable {
    private final Object[] values;

    protected Tuple(Object... values) { this.values = values; }

    public abstract int getSize();

    public final Object getValue(int pos) {
        if (pos < 0 || pos >= values.length) throw new IllegalArgumentException("Cannot retrieve position " + pos + " in " + getClass().getSimpleName());
        return values[pos];
    }

    public final boolean contains(Object value) { return Arrays.asList(values).contains(value); }

    public final List<Object> toList() { return Arrays.asList(values.clone()); }

    public final Object[] toArray() { return values.clone(); }

    public final Iterator<Object> iterator() { return toList().iterator(); }

    @Override public final String toString() { return Arrays.toString(values); }

    @Override public final boolean equals(Object other) {
        return other != null && other.getClass() == getClass() && Arrays.equals(values, ((Tuple) other).values);
    }

    @Override public final int hashCode() { return 31 + Arrays.hashCode(values); }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override public int compareTo(Tuple other) {
        int n = Math.min(values.length, other.values.length);
        for (int i = 0; i < n; i++) {
            int c = ((Comparable) values[i]).compareTo(other.values[i]);
            if (c != 0) return c;
        }
        return Integer.compare(values.length, other.values.length);
    }
}
