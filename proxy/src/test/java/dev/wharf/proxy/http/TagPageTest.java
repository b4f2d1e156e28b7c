package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TagPageTest {
    private static final List<String> TAGS = List.of("1.0", "1.1", "2.0", "latest");

    @Test
    void wholeListWithoutN() {
        assertEquals(new TagPage(TAGS, Optional.empty()), TagPage.of(TAGS, Optional.empty(), Optional.empty()));
    }

    @Test
    void firstPageSaysWhereTheNextStarts() {
        assertEquals(
                new TagPage(List.of("1.0", "1.1"), Optional.of("1.1")),
                TagPage.of(TAGS, Optional.of(2), Optional.empty()));
    }

    @Test
    void lastIsExclusiveAndTheFinalPageHasNoNext() {
        assertEquals(
                new TagPage(List.of("2.0", "latest"), Optional.empty()),
                TagPage.of(TAGS, Optional.of(2), Optional.of("1.1")));
    }

    @Test
    void lastNeedNotExist() {
        assertEquals(
                new TagPage(List.of("2.0"), Optional.of("2.0")), TagPage.of(TAGS, Optional.of(1), Optional.of("1.5")));
    }

    @Test
    void zeroGivesAnEmptyList() {
        assertEquals(new TagPage(List.of(), Optional.empty()), TagPage.of(TAGS, Optional.of(0), Optional.empty()));
    }
}
