package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import java.util.regex.Pattern;

/**
 * {@code mvn:groupId/artifactId/version[/type[/classifier]]}: one exact artifact. Every part
 * becomes a path segment in a repository, so only plain names are accepted.
 */
record MavenCoordinates(String groupId, String artifactId, String version, String type, String classifier) {

    static final String PREFIX = "mvn:";
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final String FORM = "mvn:groupId/artifactId/version[/type[/classifier]]";

    static boolean isCoordinates(String location) {
        return location.startsWith(PREFIX);
    }

    static MavenCoordinates parse(String location) throws ModuleRuntimeException {
        String text = location.substring(PREFIX.length());
        if (text.indexOf('!') >= 0) {
            throw new ModuleRuntimeException("'" + location + "': a repository inside the coordinates is not"
                    + " supported; configure repositories instead, and write " + FORM);
        }
        String[] parts = text.split("/", -1);
        if (parts.length < 3 || parts.length > 5) {
            throw new ModuleRuntimeException("'" + location + "' is not " + FORM);
        }
        String groupId = part(location, "groupId", parts[0]);
        String artifactId = part(location, "artifactId", parts[1]);
        String version = parts[2];
        if (version.isEmpty() || version.equals("LATEST") || version.equals("RELEASE")
                || version.startsWith("[") || version.startsWith("(")) {
            throw new ModuleRuntimeException("'" + location + "' needs an exact version (no range, LATEST or"
                    + " RELEASE): a module's bundle must not change unless its deployment does");
        }
        part(location, "version", version);
        String type = parts.length > 3 && !parts[3].isEmpty() ? part(location, "type", parts[3]) : "jar";
        String classifier = parts.length > 4 && !parts[4].isEmpty() ? part(location, "classifier", parts[4]) : null;
        for (String segment : groupId.split("\\.", -1)) {
            if (segment.isEmpty()) {
                throw new ModuleRuntimeException("'" + location + "': groupId '" + groupId + "' has an empty part");
            }
        }
        return new MavenCoordinates(groupId, artifactId, version, type, classifier);
    }

    private static String part(String location, String what, String value) throws ModuleRuntimeException {
        if (!PART.matcher(value).matches() || value.contains("..")) {
            throw new ModuleRuntimeException("'" + location + "': " + what + " '" + value + "' may only contain"
                    + " letters, digits, '.', '_' and '-' (" + FORM + ")");
        }
        return value;
    }

    /** The artifact's path inside a repository, with '/' separators. */
    String repositoryPath() {
        String file = artifactId + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + type;
        return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + file;
    }

    @Override
    public String toString() {
        return PREFIX + groupId + "/" + artifactId + "/" + version
                + (classifier != null ? "/" + type + "/" + classifier : type.equals("jar") ? "" : "/" + type);
    }
}
