package io.wharf.agent;

import java.util.Map;

/**
 * {@code awslogs-datetime-format} (strftime) as a regular expression, with the directives Docker's
 * awslogs driver documents and the expressions it uses for them (moby's {@code
 * daemon/logger/awslogs/cloudwatchlogs.go}, {@code strftimeToRegex}); the result is anchored at the
 * line's start, as there. Like Docker, characters other than directives are taken as regular
 * expression text, so {@code .} in a format matches any character.
 */
final class StrftimePattern {
  private StrftimePattern() {}

  private static final Map<Character, String> DIRECTIVES =
      Map.ofEntries(
          Map.entry('a', "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"),
          Map.entry('A', "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"),
          Map.entry('w', "[0-6]"),
          Map.entry('d', "(?:0[1-9]|[1,2][0-9]|3[0,1])"),
          Map.entry('b', "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"),
          Map.entry(
              'B',
              "(?:January|February|March|April|May|June|July|August|September|October|November"
                  + "|December)"),
          Map.entry('m', "(?:0[1-9]|1[0-2])"),
          Map.entry('Y', "\\d{4}"),
          Map.entry('y', "\\d{2}"),
          Map.entry('H', "(?:[0,1][0-9]|2[0-3])"),
          Map.entry('I', "(?:0[0-9]|1[0-2])"),
          Map.entry('p', "[A,P]M"),
          Map.entry('M', "[0-5][0-9]"),
          Map.entry('S', "[0-5][0-9]"),
          Map.entry('f', "\\d{6}"),
          Map.entry('z', "[+-]\\d{4}"),
          Map.entry('Z', "[A-Z]{1,4}T"),
          Map.entry('j', "(?:0[0-9][1-9]|[1,2][0-9][0-9]|3[0-5][0-9]|36[0-6])"),
          Map.entry('L', "\\.\\d{3}"));

  /** The expression for {@code format}; an unknown directive stays as written, as in Docker. */
  static String toRegex(String format) {
    StringBuilder out = new StringBuilder("^");
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c == '%' && i + 1 < format.length() && DIRECTIVES.containsKey(format.charAt(i + 1))) {
        out.append(DIRECTIVES.get(format.charAt(++i)));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
