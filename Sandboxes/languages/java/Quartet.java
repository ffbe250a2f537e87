package org.javatuples;

public final class Quartet<A, B, C, D> extends Tuple {
    private final A val0;
    private final B val1;
    private final C val2;
    private final D val3;

    public Quartet(A value0, B value1, C value2, D value3) {
        super(value0, value1, value2, value3);
        val0 = value0; val1 = value1; val2 = value2; val3 = value3;
    }

    public static <A, B, C, D> Quartet<A, B, C, D> with(A value0, B value1, C value2, D value3) {
        return new Quartet<>(value0, value1, value2, value3);
    }

    public A getValue0() { return val0; }
    public B getValue1() { return val1; }
    public C getValue2() { return val2; }
    public D getValue3() { return val3; }
    @Override public int getSize() { return 4; }
}
