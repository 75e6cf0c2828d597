package io.gatehouse.cli;

import java.util.List;

/** Left-aligned columns, two spaces apart, the first row as the header. */
final class Table {
    private Table() {
    }

    static String format(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) line.append(" ".repeat(widths[c] - row[c].length() + 2));
            }
            if (out.length() > 0) out.append('\n');
            out.append(line.toString().stripTrailing());
        }
        return out.toString();
    }
}
