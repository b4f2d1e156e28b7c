package dev.wharf.proxy;

/** Entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {}
}
