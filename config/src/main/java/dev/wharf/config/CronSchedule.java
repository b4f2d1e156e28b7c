package dev.wharf.config;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}), read in UTC. Each field is
 * {@code *}, a number, a range {@code a-b}, any of these with a step {@code /n}, or a comma-separated list of them;
 * months and weekdays may be named ({@code jan}, {@code mon}); weekday 0 and 7 are Sunday. When both day fields are
 * restricted, a day matching either is due, as in Vixie cron.
 */
public final class CronSchedule {
    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    /** No valid expression waits longer than this for its next time (29 February on a Monday can take 28 years). */
    private static final int SEARCH_YEARS = 30;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean daysRestricted;
    private final boolean weekdaysRestricted;

    private CronSchedule(String text, String[] fields) {
        this.text = text;
        this.minutes = field(fields[0], 0, 59, List.of(), 0);
        this.hours = field(fields[1], 0, 23, List.of(), 0);
        this.days = field(fields[2], 1, 31, List.of(), 0);
        this.months = field(fields[3], 1, 12, MONTHS, 1);
        BitSet weekdays = field(fields[4], 0, 7, DAYS, 0);
        if (weekdays.get(7)) {
            weekdays.set(0);
        }
        this.weekdays = weekdays;
        this.daysRestricted = !fields[2].equals("*");
        this.weekdaysRestricted = !fields[4].equals("*");
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} saying which field is wrong. */
    public static CronSchedule parse(String text) {
        String[] fields = text.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("expected 5 fields, found " + fields.length);
        }
        CronSchedule schedule = new CronSchedule(text, fields);
        schedule.next(ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)); // 31 February is never due
        return schedule;
    }

    /** The first whole minute strictly after {@code after} that the expression names, in UTC. */
    public ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.withZoneSameInstant(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1);
        ZonedDateTime limit = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t;
            }
        }
        throw new IllegalArgumentException("never due: " + text);
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek().getValue() % 7);
        if (daysRestricted && weekdaysRestricted) {
            return day || weekday;
        }
        return day && weekday;
    }

    private static BitSet field(String text, int min, int max, List<String> names, int firstName) {
        BitSet set = new BitSet(max + 1);
        for (String item : text.split(",", -1)) {
            String[] stepped = item.split("/", -1);
            if (stepped.length > 2) {
                throw new IllegalArgumentException("not a cron field: " + text);
            }
            int step = stepped.length == 2 ? number(stepped[1], 1, max, List.of(), 0) : 1;
            int from;
            int to;
            if (stepped[0].equals("*")) {
                from = min;
                to = max;
            } else if (stepped[0].contains("-")) {
                String[] bounds = stepped[0].split("-", -1);
                if (bounds.length != 2) {
                    throw new IllegalArgumentException("not a range: " + item);
                }
                from = number(bounds[0], min, max, names, firstName);
                to = number(bounds[1], min, max, names, firstName);
            } else {
                from = number(stepped[0], min, max, names, firstName);
                to = stepped.length == 2 ? max : from;
            }
            if (from > to) {
                throw new IllegalArgumentException("range runs backwards: " + item);
            }
            for (int i = from; i <= to; i += step) {
                set.set(i);
            }
        }
        return set;
    }

    private static int number(String text, int min, int max, List<String> names, int firstName) {
        int named = names.indexOf(text.toLowerCase(Locale.ROOT));
        if (named >= 0) {
            return named + firstName;
        }
        if (!text.matches("[0-9]{1,2}")) {
            throw new IllegalArgumentException("not a number: " + text);
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " outside " + min + "-" + max);
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The expression as written. */
    @Override
    public String toString() {
        return text;
    }
}
