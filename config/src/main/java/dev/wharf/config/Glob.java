package dev.wharf.config;

/** Glob matching where {@code *} matches any run of characters (including {@code /}) and {@code ?} any one. */
final class Glob {
    private Glob() {}

    /** True when {@code text} matches {@code glob} as a whole. */
    static boolean matches(String glob, String text) {
        int g = 0;
        int t = 0;
        int starGlob = -1;
        int starText = 0;
        while (t < text.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == text.charAt(t))) {
                g++;
                t++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                starGlob = g++;
                starText = t;
            } else if (starGlob >= 0) {
                // Backtrack: let the last star swallow one more character.
                g = starGlob + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }
}
