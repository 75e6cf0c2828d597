package io.gatehouse.cli;

import io.gatehouse.cli.Command.CloudMessage;
import io.gatehouse.cli.Command.MethodCall;
import io.gatehouse.cli.GatewayClient.Reply;
import io.gatehouse.cli.GatewayClient.UnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code gatehouse} command. Exit codes: 0 ok, 1 refused by the gateway (its reason on
 * stderr), 2 usage error, 3 gateway not reachable.
 */
public final class GatehouseCli {
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    private static final String DEFAULT_PRIORITY = "2000000000";
    private static final int REASON_CHARS = 50;
    private static final int PREVIEW_CHARS = 40;
    private static final int STATUS_DESCRIPTION_CHARS = 60;
    /** What the gateway waits for a method's answer when not told. */
    private static final int DEFAULT_RESPONSE_TIMEOUT = 30;
    /** Beyond the method's timeouts: the gateway's own few seconds on top of them, and the way there and back. */
    private static final int METHOD_MARGIN_SECONDS = 15;
    private static final List<String> SYSTEM_MODULES = List.of("edgeAgent", "edgeHub");

    /** Where {@code twin set -} reads its patch and {@code method invoke --payload-file -} its payload. */
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    /** What "Up 5 minutes" and "2 minutes ago" are counted from; a fixed one in tests. */
    private final Clock clock;

    GatehouseCli(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.clock = clock;
    }

    GatehouseCli(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
        this(System.in, out, err, env, clock);
    }

    GatehouseCli(PrintStream out, PrintStream err, Map<String, String> env) {
        this(out, err, env, Clock.systemUTC());
    }

    public static void main(String[] args) {
        System.exit(new GatehouseCli(System.out, System.err, System.getenv()).run(args));
    }

    int run(String[] args) {
        Command command;
        try {
            command = CommandLine.parse(args, env);
        } catch (UsageException e) {
            err.println("gatehouse: " + e.getMessage());
            err.println(CommandLine.USAGE);
            return USAGE;
        }
        if (command.action() == Command.Action.HELP) {
            out.println(CommandLine.USAGE);
            return OK;
        }
        try {
            return execute(command, new GatewayClient(command.gateway()));
        } catch (UnreachableException e) {
            err.println("gatehouse: " + e.getMessage() + "; is Gatehouse running? (port: $"
                    + CommandLine.PORT_VARIABLE + " or --url)");
            return UNREACHABLE;
        } catch (IllegalArgumentException notTheExpectedJson) {
            err.println("gatehouse: the gateway at " + command.gateway() + " gave an answer this CLI does not understand ("
                    + notTheExpectedJson.getMessage() + ")");
            return REFUSED;
        }
    }

    private int execute(Command c, GatewayClient gateway) throws UnreachableException {
        switch (c.action()) {
            case IDENTITY_ADD: {
                StringBuilder body = new StringBuilder("{\"deviceId\":").append(Json.quote(c.deviceId()));
                if (c.moduleId() != null) body.append(",\"moduleId\":").append(Json.quote(c.moduleId()));
                if (c.key() != null) body.append(",\"primaryKey\":").append(Json.quote(c.key()));
                if (c.registration() != null && c.registration().edgeDevice()) body.append(",\"edgeDevice\":true");
                if (c.registration() != null && c.registration().parentDeviceId() != null) {
                    body.append(",\"parentDeviceId\":").append(Json.quote(c.registration().parentDeviceId()));
                }
                if (c.registration() != null && c.registration().primaryThumbprint() != null) {
                    body.append(",\"x509Thumbprint\":{\"primaryThumbprint\":")
                            .append(Json.quote(c.registration().primaryThumbprint()));
                    if (c.registration().secondaryThumbprint() != null) {
                        body.append(",\"secondaryThumbprint\":").append(Json.quote(c.registration().secondaryThumbprint()));
                    }
                    body.append('}');
                }
                body.append('}');
                Reply reply = gateway.post("/api/identities", body.toString().getBytes(StandardCharsets.UTF_8));
                return reply.status() == 201 ? print(field(reply, "connectionString")) : refused(reply);
            }
            case IDENTITY_LIST: {
                Reply reply = gateway.get("/api/identities");
                return reply.status() == 200 ? print(identityTable(reply)) : refused(reply);
            }
            case IDENTITY_SHOW: {
                Reply reply = gateway.get(identityPath(c));
                return reply.status() == 200 ? print(field(reply, "connectionString")) : refused(reply);
            }
            case IDENTITY_REMOVE: {
                Reply reply = gateway.delete(identityPath(c));
                String id = c.moduleId() == null ? c.deviceId() : c.deviceId() + "/" + c.moduleId();
                return reply.status() == 200 ? print("removed " + id) : refused(reply);
            }
            case IDENTITY_TOKEN: {
                Reply reply = gateway.get(identityPath(c));
                if (reply.status() != 200) return refused(reply);
                return print(SasToken.fromConnectionString(field(reply, "connectionString"), c.ttlSeconds()));
            }
            case DEPLOY:
                return deploy(c, gateway);
            case QUEUES: {
                Reply reply = gateway.get("/api/queues");
                return reply.status() == 200 ? print(queueTable(reply)) : refused(reply);
            }
            case HEALTH:
                return health(gateway.get("/health"));
            case ROUTE_TEST:
                return routeTest(c, gateway);
            case DEADLETTERS_LIST: {
                String query = "?endpoint=" + GatewayClient.segment(c.endpoint())
                        + (c.limit() == null ? "" : "&limit=" + c.limit());
                Reply reply = gateway.get("/api/deadletters" + query);
                return reply.status() == 200 ? print(deadLetterTable(reply)) : refused(reply);
            }
            case DEADLETTERS_PURGE: {
                Reply reply = gateway.delete("/api/deadletters?endpoint=" + GatewayClient.segment(c.endpoint()));
                return reply.status() == 200 ? print("purged " + letters(count(reply, "purged")) + " of " + c.endpoint())
                        : refused(reply);
            }
            case DEADLETTERS_REQUEUE: {
                Reply reply = gateway.post("/api/deadletters/requeue?endpoint=" + GatewayClient.segment(c.endpoint()),
                        new byte[0]);
                return reply.status() == 200 ? print("requeued " + letters(count(reply, "requeued")) + " to " + c.endpoint())
                        : refused(reply);
            }
            case ROUTE_STATS: {
                Reply reply = gateway.get("/api/routes/stats");
                return reply.status() == 200 ? print(droppedMessages(reply)) : refused(reply);
            }
            case MODULE_LIST: {
                Reply reply = gateway.get("/api/agent");
                return reply.status() == 200 ? print(moduleList(reply, clock.instant())) : refused(reply);
            }
            case MODULE_LOGS: {
                Reply reply = gateway.get("/api/agent/modules/" + GatewayClient.segment(c.moduleId()) + "/logs"
                        + (c.tail() == null ? "" : "?tail=" + c.tail()));
                if (reply.status() != 200) return refused(reply);
                logLines(reply).forEach(out::println);
                return OK;
            }
            case MODULE_RESTART: {
                Reply reply = gateway.post("/api/agent/modules/" + GatewayClient.segment(c.moduleId()) + "/restart",
                        new byte[0]);
                return reply.status() == 200 ? print("restarted " + c.moduleId()) : refused(reply);
            }
            case TWIN_GET: {
                Reply reply = gateway.get(twinPath(c));
                return reply.status() == 200 ? print(twin(reply)) : refused(reply);
            }
            case TWIN_SET:
                return twinSet(c, gateway);
            case METHOD_INVOKE:
                return methodInvoke(c, gateway);
            case C2D_SEND:
                return cloudToDevice(c, gateway);
            default:
                throw new IllegalStateException("unhandled " + c.action());
        }
    }

    private int deploy(Command c, GatewayClient gateway) throws UnreachableException {
        byte[] manifest;
        try {
            manifest = Files.readAllBytes(Path.of(c.manifest()));
        } catch (NoSuchFileException e) {
            err.println("gatehouse: no such manifest file: " + c.manifest());
            return USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse: cannot read manifest " + c.manifest() + ": " + e);
            return USAGE;
        }
        String query = c.deviceId() == null ? "" : "?device=" + GatewayClient.segment(c.deviceId());
        Reply reply = gateway.post("/api/deployment" + query, manifest);
        return reply.status() == 200 ? print(field(reply, "description")) : refused(reply);
    }

    /**
     * Exit 0 whenever the gateway evaluated the route, whether it fires or not: the answer is the
     * output. A route that does not compile is a refusal (1) with the compiler's reason.
     */
    private int routeTest(Command c, GatewayClient gateway) throws UnreachableException {
        StringBuilder request = new StringBuilder("{\"route\":").append(Json.quote(c.route()));
        if (c.messageFile() != null) {
            String message;
            try {
                message = Files.readString(Path.of(c.messageFile()), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("gatehouse: no such message file: " + c.messageFile());
                return USAGE;
            } catch (IOException | RuntimeException e) {
                err.println("gatehouse: cannot read message file " + c.messageFile() + ": " + e);
                return USAGE;
            }
            // Checked here: the gateway would place a JSON error in the request this file is pasted into.
            try {
                if (!(Json.parse(message) instanceof Map)) {
                    err.println("gatehouse: message file " + c.messageFile() + " must hold a JSON object: "
                            + "{\"systemProperties\": {…}, \"properties\": {…}, \"body\": … or \"bodyBase64\": \"…\"}");
                    return USAGE;
                }
            } catch (IllegalArgumentException e) {
                err.println("gatehouse: message file " + c.messageFile() + " is " + e.getMessage());
                return USAGE;
            }
            request.append(",\"message\":").append(message.strip());
        }
        request.append('}');
        Reply reply = gateway.post("/api/routes/test", request.toString().getBytes(StandardCharsets.UTF_8));
        return reply.status() == 200 ? print(routeResult(reply)) : refused(reply);
    }

    /**
     * Sends the file's object as the desired properties patch. Checked here to be one JSON object,
     * for the same reason as route test's message: the gateway's error would point into the
     * request the file is pasted into, not into the file.
     */
    private int twinSet(Command c, GatewayClient gateway) throws UnreachableException {
        boolean stdin = c.patchFile().equals("-");
        String name = stdin ? "standard input" : "patch file " + c.patchFile();
        String patch;
        try {
            patch = stdin ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(c.patchFile()), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("gatehouse: no such patch file: " + c.patchFile());
            return USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse: cannot read " + name + ": " + e);
            return USAGE;
        }
        try {
            if (!(Json.parse(patch) instanceof Map)) {
                err.println("gatehouse: " + name + " must hold a JSON object of desired properties, such as "
                        + "{\"threshold\": 9} (null removes a property)");
                return USAGE;
            }
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: " + name + " is " + e.getMessage());
            return USAGE;
        }
        String request = "{\"properties\":{\"desired\":" + patch.strip() + "}}";
        Reply reply = gateway.patch(twinPath(c), request.getBytes(StandardCharsets.UTF_8));
        return reply.status() == 200 ? print(twin(reply)) : refused(reply);
    }

    /**
     * Calls the method and prints the target's answer: {@code status <n>}, then its payload. The
     * gateway delivered it either way, but a status other than 2xx is the target refusing the call,
     * so it exits 1 for scripts, after printing the answer (which says why).
     */
    private int methodInvoke(Command c, GatewayClient gateway) throws UnreachableException {
        MethodCall call = c.method();
        String payload = call.payload();
        if (call.payloadFile() != null) {
            payload = payloadFile(call.payloadFile());
            if (payload == null) return USAGE;
        }
        StringBuilder request = new StringBuilder("{\"methodName\":").append(Json.quote(call.name()));
        if (payload != null) request.append(",\"payload\":").append(payload);
        if (call.responseTimeoutSeconds() != null) {
            request.append(",\"responseTimeoutInSeconds\":").append(call.responseTimeoutSeconds());
        }
        if (call.connectTimeoutSeconds() != null) {
            request.append(",\"connectTimeoutInSeconds\":").append(call.connectTimeoutSeconds());
        }
        request.append('}');
        Reply reply = gateway.post(twinPath(c) + "/methods", request.toString().getBytes(StandardCharsets.UTF_8),
                methodWait(call));
        if (reply.status() != 200) return refused(reply);
        Map<String, Object> answer = asObject(reply);
        Long status = answer == null ? null : number(answer.get("status"));
        if (status == null) throw new IllegalArgumentException("expected the target's status and payload");
        out.println("status " + status);
        if (answer.get("payload") != null) out.println(Json.pretty(answer.get("payload")));
        return status >= 200 && status < 300 ? OK : REFUSED;
    }

    /**
     * Queues the message and prints the id the gateway gave it (the one asked for, or a new one).
     * The body is text (the API carries it as a JSON string), so a file must be UTF-8.
     */
    private int cloudToDevice(Command c, GatewayClient gateway) throws UnreachableException {
        CloudMessage m = c.cloudMessage();
        String body = m.body();
        if (m.file() != null) {
            body = textFile(m.file());
            if (body == null) return USAGE;
        }
        StringBuilder request = new StringBuilder("{\"body\":").append(Json.quote(body));
        if (!m.properties().isEmpty()) {
            StringBuilder properties = new StringBuilder();
            m.properties().forEach((k, v) -> properties.append(properties.length() == 0 ? "" : ",")
                    .append(Json.quote(k)).append(':').append(Json.quote(v)));
            request.append(",\"properties\":{").append(properties).append('}');
        }
        if (m.messageId() != null) request.append(",\"messageId\":").append(Json.quote(m.messageId()));
        if (m.ttlSeconds() != null) request.append(",\"ttlSeconds\":").append(m.ttlSeconds());
        if (m.contentType() != null) request.append(",\"contentType\":").append(Json.quote(m.contentType()));
        request.append('}');
        Reply reply = gateway.post("/api/devices/" + GatewayClient.segment(c.deviceId()) + "/messages/devicebound",
                request.toString().getBytes(StandardCharsets.UTF_8));
        if (reply.status() != 202) return refused(reply);
        Map<String, Object> answer = asObject(reply);
        if (answer == null || !(answer.get("messageId") instanceof String id)) {
            throw new IllegalArgumentException("expected the messageId");
        }
        return print(id);
    }

    /** The file's text ({@code -}: stdin), or null after saying why it cannot be sent. */
    private String textFile(String file) {
        boolean stdin = file.equals("-");
        String name = stdin ? "standard input" : "file " + file;
        byte[] bytes;
        try {
            bytes = stdin ? in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            err.println("gatehouse: no such file: " + file);
            return null;
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse: cannot read " + name + ": " + e);
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            err.println("gatehouse: " + name + " is not UTF-8 text; a cloud-to-device message body is sent as text");
            return null;
        }
    }

    /**
     * How long to wait for the gateway's answer: it waits for the target up to both timeouts (its
     * defaults when not given) before it answers 504, so the usual 60 s would cut off long calls.
     */
    static Duration methodWait(MethodCall call) {
        int wait = (call.responseTimeoutSeconds() == null ? DEFAULT_RESPONSE_TIMEOUT : call.responseTimeoutSeconds())
                + (call.connectTimeoutSeconds() == null ? 0 : call.connectTimeoutSeconds());
        return Duration.ofSeconds(wait + METHOD_MARGIN_SECONDS);
    }

    /**
     * The payload file's JSON value (any), compact, or null after saying why it cannot be sent.
     * Checked here, as twin set's patch: the gateway's error would point into the request.
     */
    private String payloadFile(String file) {
        boolean stdin = file.equals("-");
        String name = stdin ? "standard input" : "payload file " + file;
        String text;
        try {
            text = stdin ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("gatehouse: no such payload file: " + file);
            return null;
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse: cannot read " + name + ": " + e);
            return null;
        }
        try {
            return Json.compact(Json.parse(text));
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: " + name + " is " + e.getMessage() + " (the payload may be any one JSON value)");
            return null;
        }
    }

    private static String twinPath(Command c) {
        String path = "/api/twins/" + GatewayClient.segment(c.deviceId());
        return c.moduleId() == null ? path : path + "/modules/" + GatewayClient.segment(c.moduleId());
    }

    /** The whole answer, pretty-printed: an operator reads it, and jq reads it as well. */
    private static String twin(Reply reply) {
        Map<String, Object> twin = asObject(reply);
        if (twin == null || !(twin.get("properties") instanceof Map)) {
            throw new IllegalArgumentException("expected a twin with properties");
        }
        return Json.pretty(twin);
    }

    /** {@code true  (source matches; condition true) -> sink edge1/filter/input1}. */
    private static String routeResult(Reply reply) {
        Map<String, Object> answer = asObject(reply);
        if (answer == null || !(answer.get("result") instanceof String result)
                || !(answer.get("sourceMatches") instanceof Boolean sourceMatches)
                || !(answer.get("condition") instanceof String condition) || !(answer.get("sink") instanceof String sink)) {
            throw new IllegalArgumentException("expected result, sourceMatches, condition and sink");
        }
        String why = "(source " + (sourceMatches ? "matches" : "does not match") + "; condition " + condition + ")";
        return result + "  " + why + ("true".equals(result) ? " -> sink " + sink : "; not sent to " + sink);
    }

    /** One line per reason, named as the Prometheus metric will name them. */
    private static String droppedMessages(Reply reply) {
        Map<String, Object> answer = asObject(reply);
        if (answer == null || !(answer.get("messagesDropped") instanceof Map)) {
            throw new IllegalArgumentException("expected messagesDropped");
        }
        List<String> lines = new ArrayList<>();
        asMap(answer.get("messagesDropped")).forEach((reason, count) ->
                lines.add("edgehub_messages_dropped_total{reason=" + Json.quote(reason) + "} " + text(count)));
        return lines.isEmpty() ? "no messages dropped" : String.join("\n", lines);
    }

    private int health(Reply reply) {
        Map<String, Object> report = asObject(reply);
        if (report == null || !(report.get("status") instanceof String)) {
            return refused(reply);
        }
        List<String> lines = new ArrayList<>();
        lines.add((String) report.get("status"));
        Map<String, Object> bundles = asMap(report.get("bundles"));
        for (Object o : asList(bundles.get("notActive"))) {
            Map<String, Object> b = asMap(o);
            lines.add("  bundle " + b.get("symbolicName") + " is " + b.get("state") + " (expected " + b.get("expected") + ")");
        }
        Map<String, Object> components = asMap(report.get("components"));
        for (Object o : asList(components.get("notSatisfied"))) {
            Map<String, Object> comp = asMap(o);
            StringBuilder line = new StringBuilder("  component " + comp.get("name") + " (" + comp.get("bundle")
                    + ") is " + comp.get("state"));
            for (Object r : asList(comp.get("unsatisfiedReferences"))) {
                Map<String, Object> ref = asMap(r);
                line.append("; missing ").append(ref.get("name")).append(" (").append(ref.get("interface")).append(')');
            }
            if (comp.get("failure") != null) line.append(": ").append(comp.get("failure"));
            lines.add(line.toString());
        }
        List<Object> waiting = asList(components.get("waitingForConfiguration"));
        if (!waiting.isEmpty()) lines.add("  waiting for configuration (not a fault): " + join(waiting));
        List<Object> disabled = asList(components.get("disabled"));
        if (!disabled.isEmpty()) lines.add("  disabled (not a fault): " + join(disabled));
        lines.add("  " + bundles.get("total") + " bundles, " + components.get("total") + " components");
        if (reply.status() == 200) {
            return print(String.join("\n", lines));
        }
        err.println(String.join("\n", lines));
        return REFUSED;
    }

    private static String identityPath(Command c) {
        String path = "/api/identities/" + GatewayClient.segment(c.deviceId());
        return c.moduleId() == null ? path : path + "/" + GatewayClient.segment(c.moduleId());
    }

    /**
     * DEVICE, MODULE, EDGE ({@code yes}/{@code no}; {@code -} from a gateway that does not say), PARENT
     * ({@code -} for none), AUTH (see {@link #authentication}).
     */
    private static String identityTable(Reply reply) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"DEVICE", "MODULE", "EDGE", "PARENT", "AUTH"});
        for (Object o : asList(Json.parse(reply.body()))) {
            Map<String, Object> identity = asMap(o);
            Object edge = identity.get("edgeDevice");
            rows.add(new String[] {text(identity.get("deviceId")), orDash(identity.get("moduleId")),
                    edge instanceof Boolean b ? (b ? "yes" : "no") : "-", orDash(identity.get("parentDeviceId")),
                    authentication(identity)});
        }
        return rows.size() == 1 ? "no identities registered" : Table.format(rows);
    }

    /**
     * {@code sas}, or {@code sas+x509} for the gateway's {@code selfSigned}: the keys still work
     * beside the certificate. {@code -} from a gateway that does not say; any other type as given.
     */
    private static String authentication(Map<String, Object> identity) {
        Object type = identity.get("authentication");
        if (type == null) return identity.get("x509Thumbprint") instanceof Map ? "sas+x509" : "-";
        return switch (text(type)) {
            case "selfSigned" -> "sas+x509";
            case "sas" -> "sas";
            default -> text(type);
        };
    }

    /**
     * One row per endpoint and priority, then a TOTAL row when there are several: lengths, bytes,
     * drops and dead letters add up; OLDEST is the oldest of all. A figure the gateway does not
     * give (an older gateway) is shown as {@code -}.
     */
    private static String queueTable(Reply reply) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ENDPOINT", "PRIORITY", "LENGTH", "OLDEST", "BYTES", "TTL", "QUOTA", "CORRUPT", "DEAD"});
        Totals totals = new Totals();
        for (Object o : asList(Json.parse(reply.body()))) {
            Map<String, Object> q = asMap(o);
            Map<String, Object> dropped = asMap(q.get("dropped"));
            String priority = text(q.get("priority"));
            Long[] figures = {number(q.get("pending")), number(q.get("oldestAgeMillis")), number(q.get("bytesOnDisk")),
                    number(dropped.get("ttl_expiry")), number(dropped.get("quota")), number(dropped.get("corrupt")),
                    number(q.get("deadLetters"))};
            totals.add(figures);
            rows.add(row(text(q.get("endpointId")), DEFAULT_PRIORITY.equals(priority) ? "default" : priority, figures));
        }
        if (rows.size() == 1) return "no queues";
        if (rows.size() > 2) rows.add(row("TOTAL", "", totals.figures));
        return Table.format(rows);
    }

    /** Column sums, except the oldest age, which is the largest; null while no row gave the figure. */
    private static final class Totals {
        final Long[] figures = new Long[7];

        void add(Long[] row) {
            for (int i = 0; i < figures.length; i++) {
                if (row[i] == null) continue;
                figures[i] = figures[i] == null ? row[i] : i == 1 ? Math.max(figures[i], row[i]) : figures[i] + row[i];
            }
        }
    }

    private static String[] row(String endpoint, String priority, Long[] f) {
        return new String[] {endpoint, priority, count(f[0]), f[1] == null ? "-" : Units.age(f[1]),
                f[2] == null ? "-" : Units.bytes(f[2]), count(f[3]), count(f[4]), count(f[5]), count(f[6])};
    }

    private static String count(Long n) {
        return n == null ? "-" : String.valueOf(n);
    }

    /** A whole number from the answer, or null when absent or null (oldestAgeMillis with nothing pending). */
    private static Long number(Object o) {
        if (o == null) return null;
        try {
            if (o instanceof BigDecimal n) return n.longValueExact();
        } catch (ArithmeticException notWhole) {
            // answered below
        }
        throw new IllegalArgumentException("expected a whole number, not " + o);
    }

    /** SEQUENCE, TIME, PRIORITY, REASON, SIZE, BODY; then a line when the gateway has more than it sent. */
    private static String deadLetterTable(Reply reply) {
        Map<String, Object> answer = asObject(reply);
        if (answer == null || !(answer.get("deadLetters") instanceof List)) {
            throw new IllegalArgumentException("expected deadLetters");
        }
        String endpoint = text(answer.get("endpointId"));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SEQUENCE", "TIME", "PRIORITY", "REASON", "SIZE", "BODY"});
        for (Object o : asList(answer.get("deadLetters"))) {
            Map<String, Object> d = asMap(o);
            String priority = text(d.get("priority"));
            String body = d.get("body") == null ? "" : text(d.get("body"));
            String preview = "base64".equals(d.get("bodyEncoding")) ? "base64:" + body : body;
            Long size = number(d.get("size"));
            rows.add(new String[] {text(d.get("sequence")), time(d.get("deadLetteredAt")),
                    DEFAULT_PRIORITY.equals(priority) ? "default" : priority,
                    Units.oneLine(text(d.get("reason")), REASON_CHARS), size == null ? "-" : Units.bytes(size),
                    Units.oneLine(preview, PREVIEW_CHARS)});
        }
        String table = rows.size() == 1 ? "no dead letters for " + endpoint : Table.format(rows);
        if (Boolean.TRUE.equals(answer.get("more"))) {
            table += "\n(there are more: a larger --limit lists more, up to 1000)";
        }
        return table;
    }

    /**
     * As {@code iotedge list}: NAME, STATUS, DESCRIPTION, VERSION, then RESTARTS; edgeAgent and
     * edgeHub first, then the modules by name. Then a line when the last deployment was not applied
     * (code other than 200) and one for the last rollback.
     */
    private static String moduleList(Reply reply, Instant now) {
        Map<String, Object> reported = asObject(reply);
        if (reported == null || !(reported.get("modules") instanceof Map) || !(reported.get("systemModules") instanceof Map)) {
            throw new IllegalArgumentException("expected systemModules and modules");
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATUS", "DESCRIPTION", "VERSION", "RESTARTS"});
        Map<String, Object> system = asMap(reported.get("systemModules"));
        // Agent and hub are the gateway itself: the agent's own version is theirs.
        Object gatewayVersion = asMap(reported.get("version")).get("version");
        for (String name : SYSTEM_MODULES) {
            if (system.get(name) instanceof Map) rows.add(moduleRow(name, asMap(system.get(name)), gatewayVersion, now));
        }
        new TreeMap<>(asMap(reported.get("modules"))).forEach((name, m) -> rows.add(moduleRow(name, asMap(m), null, now)));
        List<String> lines = new ArrayList<>();
        lines.add(rows.size() == 1 ? "no modules" : Table.format(rows));
        Map<String, Object> desired = asMap(reported.get("lastDesiredStatus"));
        Long code = number(desired.get("code"));
        if (code != null && code != 200) {
            Object version = reported.get("lastDesiredVersion");
            lines.add("deployment" + (version == null ? "" : " " + text(version)) + ": " + code
                    + (desired.get("description") == null ? "" : " " + text(desired.get("description"))));
        }
        Map<String, Object> rollback = asMap(asMap(reported.get("deployments")).get("lastRollback"));
        if (!rollback.isEmpty()) {
            lines.add("rolled back from " + orDash(rollback.get("fromVersion")) + " to " + orDash(rollback.get("toVersion"))
                    + " at " + time(rollback.get("atUtc")) + ": " + orDash(rollback.get("reason")));
        }
        return String.join("\n", lines);
    }

    private static String[] moduleRow(String name, Map<String, Object> m, Object defaultVersion, Instant now) {
        Object version = m.get("version") != null ? m.get("version") : defaultVersion;
        return new String[] {name, status(m), moduleDescription(m, now), orDash(version), count(number(m.get("restartCount")))};
    }

    private static String status(Map<String, Object> m) {
        return m.get("runtimeStatus") == null ? "unknown" : text(m.get("runtimeStatus"));
    }

    /**
     * {@code Up 5 minutes}, {@code Stopped}, {@code Failed (3) 2 minutes ago: <why>},
     * {@code Backoff: <why>}: how long a running module has been up, else what the runtime says
     * stopped it, cut to one line.
     */
    static String moduleDescription(Map<String, Object> m, Instant now) {
        String status = status(m);
        String why = m.get("statusDescription") == null ? ""
                : Units.oneLine(text(m.get("statusDescription")), STATUS_DESCRIPTION_CHARS);
        switch (status) {
            case "running": {
                String up = elapsed(m.get("lastStartTimeUtc"), now);
                return up == null ? "Up" : "Up " + up;
            }
            case "stopped":
                return "Stopped";
            case "failed": {
                String exitCode = m.get("exitCode") == null ? null : text(m.get("exitCode"));
                String since = elapsed(m.get("lastExitTimeUtc"), now);
                // The process runtime's own description says no more than the code.
                if (why.equals("exited with code " + exitCode)) why = "";
                return "Failed" + (exitCode == null ? "" : " (" + exitCode + ")") + (since == null ? "" : " " + since + " ago")
                        + (why.isEmpty() ? "" : ": " + why);
            }
            default:
                String word = status.isEmpty() ? "Unknown" : status.substring(0, 1).toUpperCase(Locale.ROOT) + status.substring(1);
                return word + (why.isEmpty() ? "" : ": " + why);
        }
    }

    /** The time from an ISO-8601 instant to now, in words; null when there is none to count from. */
    private static String elapsed(Object iso, Instant now) {
        if (iso == null) return null;
        try {
            return Units.elapsed(Duration.between(Instant.parse(text(iso)), now).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static List<String> logLines(Reply reply) {
        Map<String, Object> answer = asObject(reply);
        if (answer == null || !(answer.get("lines") instanceof List)) {
            throw new IllegalArgumentException("expected lines");
        }
        List<String> lines = new ArrayList<>();
        asList(answer.get("lines")).forEach(line -> lines.add(text(line)));
        return lines;
    }

    private static String orDash(Object o) {
        return o == null ? "-" : text(o);
    }

    /** The time to the second, which is what a table needs; as sent when it is not an ISO-8601 instant. */
    private static String time(Object iso) {
        try {
            return Instant.parse(String.valueOf(iso)).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return String.valueOf(iso);
        }
    }

    private static long count(Reply reply, String field) {
        Map<String, Object> answer = asObject(reply);
        Long n = answer == null ? null : number(answer.get(field));
        if (n == null) throw new IllegalArgumentException("expected " + field);
        return n;
    }

    private static String letters(long n) {
        return n + (n == 1 ? " dead letter" : " dead letters");
    }

    private int print(String text) {
        out.println(text);
        return OK;
    }

    /** Prints the gateway's reason: its {@code error} or {@code description}, else the HTTP status. */
    private int refused(Reply reply) {
        Map<String, Object> body = asObject(reply);
        Object reason = body == null ? null : body.get("error") != null ? body.get("error") : body.get("description");
        if (reason != null) {
            err.println("gatehouse: " + reason);
        } else {
            String text = reply.body() == null ? "" : reply.body().strip();
            err.println("gatehouse: the gateway answered HTTP " + reply.status()
                    + (reply.status() == 404 ? " (is the management bundle active?)" : "")
                    + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text)));
        }
        return REFUSED;
    }

    private static String field(Reply reply, String name) {
        Map<String, Object> body = asObject(reply);
        Object value = body == null ? null : body.get(name);
        return value == null ? reply.body() : text(value);
    }

    private static Map<String, Object> asObject(Reply reply) {
        try {
            Object parsed = Json.parse(reply.body());
            return parsed instanceof Map ? asMap(parsed) : null;
        } catch (IllegalArgumentException notJson) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return o instanceof List ? (List<Object>) o : List.of();
    }

    private static String text(Object o) {
        if (o instanceof BigDecimal n) return n.toPlainString();
        return String.valueOf(o);
    }

    private static String join(List<Object> items) {
        List<String> texts = new ArrayList<>();
        items.forEach(i -> texts.add(text(i)));
        return String.join(", ", texts);
    }
}
