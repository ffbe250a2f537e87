package org.javatuples;

public final class Pair<A, B> extends Tuple {
    private final A val0;
    private final B val1;

    public Pair(A value0, B value1) { super(value0, value1); val0 = value0; val1 = value1; }

    public static <A, B> Pair<A, B> with(A value0, B value1) { return new Pair<>(value0, value1); }

    public A getValue0() { return val0; }
    public B getValue1() { return val1; }
    @Override public int getSize() { return 2; }

    public <X> Pair<X, B> setAt0(X value) { return new Pair<>(value, val1); }
    public <X> Pair<A, X> setAt1(X value) { return new Pair<>(val0, value); }
}
