package org.javatuples;

public final class Quintet<A, B, C, D, E> extends Tuple {
    private final A val0;
    private final B val1;
    private final C val2;
    private final D val3;
    private final E val4;

    public Quintet(A value0, B value1, C value2, D value3, E value4) {
        super(value0, value1, value2, value3, value4);
        val0 = value0; val1 = value1; val2 = value2; val3 = value3; val4 = value4;
    }

    public static <A, B, C, D, E> Quintet<A, B, C, D, E> with(A value0, B value1, C value2, D value3, E value4) {
        return new Quintet<>(value0, value1, value2, value3, value4);
    }

    public A getValue0() { return val0; }
    public B getValue1() { return val1; }
    public C getValue2() { return val2; }
    public D getValue3() { return val3; }
    public E getValue4() { return val4; }
    @Override public int getSize() { return 5; }
}
