package io.gatehouse.cli;

import io.gatehouse.cli.Command.Action;
import io.gatehouse.cli.Command.CloudMessage;
import io.gatehouse.cli.Command.MethodCall;
import io.gatehouse.cli.Command.Registration;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the arguments (and GATEHOUSE_HTTP_PORT) into a {@link Command}, or says what is wrong. */
final class CommandLine {
    static final String PORT_VARIABLE = "GATEHOUSE_HTTP_PORT";
    static final int DEFAULT_PORT = 8080;
    /** What the gateway serves at most: {@code GET /api/agent/modules/{name}/logs?tail=N}. */
    static final int MAX_TAIL = 10_000;
    /** The gateway's bounds on {@code responseTimeoutInSeconds} and {@code connectTimeoutInSeconds}. */
    static final int MIN_RESPONSE_TIMEOUT = 5;
    static final int MAX_METHOD_TIMEOUT = 300;
    /** IoT Hub's longest time to live of a cloud-to-device message, which the gateway keeps too. */
    static final long MAX_C2D_TTL = 172_800;

    static final String USAGE = String.join("\n",
            "usage: gatehouse [--url URL] COMMAND",
            "",
            "  identity add <deviceId> [--module <moduleId>] [--key <base64>]",
            "          [--edge] [--parent <edgeDeviceId>]",
            "          [--x509-thumbprint <hex> [--x509-secondary-thumbprint <hex>]]",
            "                                   register a device or module; prints its connection string.",
            "                                   --edge: an edge gateway; --parent: a device below that edge gateway;",
            "                                   --x509-thumbprint: it may also connect with the self-signed",
            "                                   certificate of this SHA-1 or SHA-256 thumbprint (AB:CD:… as openssl",
            "                                   prints it, or plain hex); its keys keep working",
            "  identity list                    the registered devices and modules, edge devices, parents and how",
            "                                   they authenticate (AUTH: sas, or sas+x509)",
            "  identity show <deviceId> [--module <moduleId>]",
            "                                   print the connection string again",
            "  identity remove <deviceId> [--module <moduleId>]",
            "  identity token <deviceId> [--module <moduleId>] [--ttl <seconds>]",
            "                                   print a SAS token to use as MQTT password (default 1 hour)",
            "  deploy [--device <edgeDeviceId>] <manifest.json>",
            "                                   apply a deployment manifest; with --device, store it in the twins",
            "                                   of that child edge gateway, which takes it from there",
            "  queues                           the store's endpoint queues: length, oldest, bytes, drops, dead letters",
            "  deadletters <endpoint> [--limit <n>]",
            "                                   the messages the endpoint refused as invalid, oldest first (default 100)",
            "  deadletters purge <endpoint>     delete them",
            "  deadletters requeue <endpoint>   put them back in the endpoint's queue",
            "                                   (quote ids with $ in the shell: '$upstream')",
            "  health                           whether every bundle and component is up",
            "  route test <route> [--message <message.json>]",
            "                                   evaluate a route on a message as the router would (quote the route;",
            "                                   the file holds {systemProperties, properties, body | bodyBase64})",
            "  route stats                      messages the router dropped, by reason",
            "  list                             the modules: status, how long up or why not, version, restarts",
            "  logs <module> [--tail <n>]       the module's last log lines (default 100, at most 10000)",
            "  restart <module>                 stop and start a deployed module",
            "  twin get <deviceId> [--module <moduleId>]",
            "                                   the device's or module's twin (desired and reported), as JSON",
            "  twin set <deviceId> [--module <moduleId>] <patch.json | ->",
            "                                   patch its desired properties with the file's JSON object (- reads",
            "                                   stdin): {\"threshold\": 9}; null removes a property. Prints the twin",
            "  method invoke <deviceId> [--module <moduleId>] <methodName>",
            "          [--payload <json> | --payload-file <file | ->] [--timeout <s>] [--connect-timeout <s>]",
            "                                   call a direct method (payload: any JSON value; timeout 5-300 s,",
            "                                   default 30; connect timeout 0-300 s, default 0); prints status <n>,",
            "                                   then the payload the target answered. Exit 1 when it is not 2xx",
            "  c2d send <deviceId> [--property <k=v>]... [--message-id <id>] [--ttl <s>] [--content-type <t>]",
            "          (<body> | --file <file | ->)",
            "                                   queue a cloud-to-device message for the device (ttl 1-172800 s,",
            "                                   default 3600; at most 50 wait per device); prints its message id",
            "",
            "The gateway is http://127.0.0.1:$" + PORT_VARIABLE + " (default " + DEFAULT_PORT + "); --url overrides it.",
            "Exit codes: 0 ok (route test: evaluated, whatever the result), 1 refused by the gateway (route test:",
            "the route does not compile; method invoke: also a status from the target that is not 2xx), 2 usage",
            "error, 3 gateway not reachable.");

    private CommandLine() {
    }

    static Command parse(String[] args, Map<String, String> env) throws UsageException {
        List<String> words = new ArrayList<>();
        String url = null;
        String module = null;
        String key = null;
        String ttl = null;
        String message = null;
        String limit = null;
        String tail = null;
        String payload = null;
        String payloadFile = null;
        String timeout = null;
        String connectTimeout = null;
        String parent = null;
        String device = null;
        String messageId = null;
        String contentType = null;
        String file = null;
        String thumbprint = null;
        String secondaryThumbprint = null;
        List<String> properties = new ArrayList<>();
        boolean edge = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
            } else if (arg.equals("--url") || arg.startsWith("--url=")) {
                url = optionValue(args, i, "--url");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--module") || arg.startsWith("--module=")) {
                module = optionValue(args, i, "--module");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--key") || arg.startsWith("--key=")) {
                key = optionValue(args, i, "--key");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--ttl") || arg.startsWith("--ttl=")) {
                ttl = optionValue(args, i, "--ttl");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--message") || arg.startsWith("--message=")) {
                message = optionValue(args, i, "--message");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--limit") || arg.startsWith("--limit=")) {
                limit = optionValue(args, i, "--limit");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--tail") || arg.startsWith("--tail=")) {
                tail = optionValue(args, i, "--tail");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--payload") || arg.startsWith("--payload=")) {
                payload = optionValue(args, i, "--payload");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--payload-file") || arg.startsWith("--payload-file=")) {
                payloadFile = optionValue(args, i, "--payload-file");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--timeout") || arg.startsWith("--timeout=")) {
                timeout = optionValue(args, i, "--timeout");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--connect-timeout") || arg.startsWith("--connect-timeout=")) {
                connectTimeout = optionValue(args, i, "--connect-timeout");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--edge")) {
                edge = true;
            } else if (arg.equals("--parent") || arg.startsWith("--parent=")) {
                parent = optionValue(args, i, "--parent");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--device") || arg.startsWith("--device=")) {
                device = optionValue(args, i, "--device");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--property") || arg.startsWith("--property=")) {
                properties.add(optionValue(args, i, "--property"));
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--message-id") || arg.startsWith("--message-id=")) {
                messageId = optionValue(args, i, "--message-id");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--content-type") || arg.startsWith("--content-type=")) {
                contentType = optionValue(args, i, "--content-type");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--file") || arg.startsWith("--file=")) {
                file = optionValue(args, i, "--file");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--x509-thumbprint") || arg.startsWith("--x509-thumbprint=")) {
                thumbprint = optionValue(args, i, "--x509-thumbprint");
                if (!arg.contains("=")) i++;
            } else if (arg.equals("--x509-secondary-thumbprint") || arg.startsWith("--x509-secondary-thumbprint=")) {
                secondaryThumbprint = optionValue(args, i, "--x509-secondary-thumbprint");
                if (!arg.contains("=")) i++;
            } else if (arg.startsWith("--")) {
                throw new UsageException("unknown option " + arg);
            } else {
                words.add(arg);
            }
        }
        if (help || words.isEmpty() || words.get(0).equals("help")) {
            return new Command(Action.HELP, null, null, null, null, null, null);
        }
        URI gateway = gateway(url, env);
        String command = words.get(0);
        boolean c2dSend = command.equals("c2d") && words.size() > 1 && words.get(1).equals("send");
        if (ttl != null && !(words.size() > 1 && command.equals("identity") && words.get(1).equals("token")) && !c2dSend) {
            throw new UsageException("--ttl goes with identity token or c2d send");
        }
        boolean identityAdd = command.equals("identity") && words.size() > 1 && words.get(1).equals("add");
        if (edge && !identityAdd) throw new UsageException("--edge goes with identity add");
        if (parent != null && !identityAdd) throw new UsageException("--parent goes with identity add");
        if (thumbprint != null && !identityAdd) throw new UsageException("--x509-thumbprint goes with identity add");
        if (secondaryThumbprint != null && !identityAdd) {
            throw new UsageException("--x509-secondary-thumbprint goes with identity add");
        }
        if (device != null && !command.equals("deploy")) throw new UsageException("--device goes with deploy");
        if (!properties.isEmpty() && !c2dSend) throw new UsageException("--property goes with c2d send");
        for (String[] option : new String[][] {{"--message-id", messageId}, {"--content-type", contentType},
                {"--file", file}}) {
            if (option[1] != null && !c2dSend) throw new UsageException(option[0] + " goes with c2d send");
        }
        if (message != null && !(words.size() > 1 && command.equals("route") && words.get(1).equals("test"))) {
            throw new UsageException("--message goes with route test");
        }
        if (limit != null && !(command.equals("deadletters")
                && !(words.size() > 1 && (words.get(1).equals("purge") || words.get(1).equals("requeue"))))) {
            throw new UsageException("--limit goes with deadletters <endpoint>");
        }
        if (tail != null && !command.equals("logs")) {
            throw new UsageException("--tail goes with logs <module>");
        }
        boolean invoke = command.equals("method") && words.size() > 1 && words.get(1).equals("invoke");
        for (String[] option : new String[][] {{"--payload", payload}, {"--payload-file", payloadFile},
                {"--timeout", timeout}, {"--connect-timeout", connectTimeout}}) {
            if (option[1] != null && !invoke) throw new UsageException(option[0] + " goes with method invoke");
        }
        switch (command) {
            case "identity":
                return identity(words, gateway, module, key, ttl, new Registration(edge, parent,
                        thumbprint(thumbprint, "--x509-thumbprint"),
                        thumbprint(secondaryThumbprint, "--x509-secondary-thumbprint")));
            case "deploy":
                noOptions(command, module, key);
                expectWords(words, 2, "deploy needs the manifest file: deploy [--device <edgeDeviceId>] <manifest.json>");
                if (device != null && device.isBlank()) throw new UsageException("--device needs a device id");
                return new Command(Action.DEPLOY, gateway, device, null, null, words.get(1), null);
            case "c2d":
                noOptions(command, module, key);
                return cloudToDevice(words, gateway, new CloudMessage(null, file, properties(properties), messageId,
                        c2dTtl(ttl), contentType));
            case "queues":
            case "health":
                noOptions(command, module, key);
                expectWords(words, 1, command + " takes no arguments");
                return new Command(command.equals("queues") ? Action.QUEUES : Action.HEALTH, gateway,
                        null, null, null, null, null);
            case "route":
                noOptions(command, module, key);
                return route(words, gateway, message);
            case "deadletters":
                noOptions(command, module, key);
                return deadLetters(words, gateway, limit);
            case "list":
                noOptions(command, module, key);
                expectWords(words, 1, "list takes no arguments");
                return Command.module(Action.MODULE_LIST, gateway, null, null);
            case "logs":
                noOptions(command, module, key);
                expectWords(words, 2, "logs needs one module name: logs <module> [--tail <n>]");
                return Command.module(Action.MODULE_LOGS, gateway, moduleName(words.get(1)), tail(tail));
            case "restart":
                noOptions(command, module, key);
                expectWords(words, 2, "restart needs one module name: restart <module>");
                return Command.module(Action.MODULE_RESTART, gateway, moduleName(words.get(1)), null);
            case "twin":
                return twin(words, gateway, module, key);
            case "method":
                noOptions(command, null, key);
                return method(words, gateway, module, new MethodCall(null, payload, payloadFile, null, null), timeout,
                        connectTimeout);
            default:
                throw new UsageException("unknown command " + command);
        }
    }

    private static Command identity(List<String> words, URI gateway, String module, String key, String ttl,
            Registration registration) throws UsageException {
        if (words.size() < 2) {
            throw new UsageException("identity needs a subcommand: add, list, show, remove or token");
        }
        String sub = words.get(1);
        switch (sub) {
            case "list":
                noOptions("identity list", module, key);
                expectWords(words, 2, "identity list takes no arguments");
                return new Command(Action.IDENTITY_LIST, gateway, null, null, null, null, null);
            case "add":
                expectWords(words, 3, "identity add needs one device id: identity add <deviceId> [--module <moduleId>]"
                        + " [--edge] [--parent <edgeDeviceId>] [--key <base64>]"
                        + " [--x509-thumbprint <hex> [--x509-secondary-thumbprint <hex>]]");
                if (registration.secondaryThumbprint() != null && registration.primaryThumbprint() == null) {
                    throw new UsageException("--x509-secondary-thumbprint goes with --x509-thumbprint: the secondary is "
                            + "the one to roll to");
                }
                if (module != null && (registration.edgeDevice() || registration.parentDeviceId() != null)) {
                    // As the registry rules: a module is in the scope of its device.
                    throw new UsageException("a module cannot be an edge device nor have a parent: leave out --edge and "
                            + "--parent, or --module");
                }
                if (registration.parentDeviceId() != null && registration.parentDeviceId().isBlank()) {
                    throw new UsageException("--parent needs an edge device id");
                }
                return Command.identityAdd(gateway, words.get(2), module, key, registration);
            case "show":
            case "remove":
                noOptions("identity " + sub, null, key);
                expectWords(words, 3, "identity " + sub + " needs one device id: identity " + sub
                        + " <deviceId> [--module <moduleId>]");
                return new Command(sub.equals("show") ? Action.IDENTITY_SHOW : Action.IDENTITY_REMOVE, gateway,
                        words.get(2), module, null, null, null);
            case "token":
                noOptions("identity token", null, key);
                expectWords(words, 3, "identity token needs one device id: identity token <deviceId> [--module <moduleId>]"
                        + " [--ttl <seconds>]");
                return new Command(Action.IDENTITY_TOKEN, gateway, words.get(2), module, null, null, ttlSeconds(ttl));
            default:
                throw new UsageException("unknown identity subcommand " + sub + "; use add, list, show, remove or token");
        }
    }

    /**
     * The thumbprint as the registry keeps it: upper case, without the colons or spaces openssl
     * prints between bytes, and without the {@code SHA1 Fingerprint=} in front of them. Its length
     * and digits are the gateway's to check, so the reason for a refusal is the registry's own.
     */
    static String thumbprint(String given, String option) throws UsageException {
        if (given == null) return null;
        String t = given.strip();
        int eq = t.indexOf('=');
        if (eq >= 0 && t.substring(0, eq).toLowerCase(Locale.ROOT).endsWith("fingerprint")) {
            t = t.substring(eq + 1);
        }
        t = t.replace(":", "").replaceAll("\\s", "").toUpperCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new UsageException(option + " " + given + " has no hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64");
        }
        return t;
    }

    /** {@code twin get <device> [--module <m>]}, {@code twin set <device> [--module <m>] <patch.json | ->}. */
    private static Command twin(List<String> words, URI gateway, String module, String key) throws UsageException {
        if (words.size() < 2) {
            throw new UsageException("twin needs a subcommand: get or set");
        }
        String sub = words.get(1);
        switch (sub) {
            case "get":
                noOptions("twin get", null, key);
                expectWords(words, 3, "twin get needs one device id: twin get <deviceId> [--module <moduleId>]");
                return Command.twin(Action.TWIN_GET, gateway, twinId("device id", words.get(2)), twinId("module id", module),
                        null);
            case "set":
                noOptions("twin set", null, key);
                expectWords(words, 4, "twin set needs a device id and the patch file: twin set <deviceId>"
                        + " [--module <moduleId>] <patch.json | ->");
                return Command.twin(Action.TWIN_SET, gateway, twinId("device id", words.get(2)), twinId("module id", module),
                        words.get(3));
            default:
                throw new UsageException("unknown twin subcommand " + sub + "; use get or set");
        }
    }

    /**
     * {@code method invoke <device> [--module <m>] <methodName> [--payload <json> | --payload-file
     * <file | ->] [--timeout <s>] [--connect-timeout <s>]}. Checked here as the gateway would, so a
     * typo costs no round trip and gets the usage; {@code given} holds the payload options as given.
     */
    private static Command method(List<String> words, URI gateway, String module, MethodCall given, String timeout,
            String connectTimeout) throws UsageException {
        if (words.size() < 2) {
            throw new UsageException("method needs a subcommand: invoke");
        }
        if (!words.get(1).equals("invoke")) {
            throw new UsageException("unknown method subcommand " + words.get(1) + "; use invoke");
        }
        expectWords(words, 4, "method invoke needs a device id and the method name: method invoke <deviceId>"
                + " [--module <moduleId>] <methodName> [--payload <json> | --payload-file <file | ->]");
        String name = words.get(3);
        if (name.isBlank()) throw new UsageException("the method name is empty");
        if (given.payload() != null && given.payloadFile() != null) {
            throw new UsageException("give the payload once: --payload <json> or --payload-file <file | ->");
        }
        MethodCall call = new MethodCall(name, given.payload() == null ? null : payload(given.payload()),
                given.payloadFile(), seconds("--timeout", timeout, MIN_RESPONSE_TIMEOUT),
                seconds("--connect-timeout", connectTimeout, 0));
        return Command.method(gateway, twinId("device id", words.get(2)), twinId("module id", module), call);
    }

    /** The payload as compact JSON: any one JSON value, sent as parsed so the gateway gets valid JSON. */
    private static String payload(String json) throws UsageException {
        try {
            return Json.compact(Json.parse(json));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--payload " + json + " is " + e.getMessage()
                    + "; a string needs its quotes, and the shell needs others: --payload '\"text\"'");
        }
    }

    private static Integer seconds(String option, String value, int min) throws UsageException {
        if (value == null) return null;
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > MAX_METHOD_TIMEOUT) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " " + value + " is not a number of seconds (" + min + " to "
                    + MAX_METHOD_TIMEOUT + ")");
        }
    }

    /**
     * {@code c2d send <deviceId> (<body> | --file <file | ->)}: the body comes from exactly one of
     * them; {@code given} holds the options as parsed.
     */
    private static Command cloudToDevice(List<String> words, URI gateway, CloudMessage given) throws UsageException {
        if (words.size() < 2) {
            throw new UsageException("c2d needs a subcommand: send");
        }
        if (!words.get(1).equals("send")) {
            throw new UsageException("unknown c2d subcommand " + words.get(1) + "; use send");
        }
        String form = "c2d send <deviceId> [--property <k=v>]... [--message-id <id>] [--ttl <s>] [--content-type <t>]"
                + " (<body> | --file <file | ->)";
        if (given.file() != null) {
            if (words.size() == 4) throw new UsageException("give the body once: as an argument or with --file");
            expectWords(words, 3, "c2d send needs the device id: " + form);
        } else {
            expectWords(words, 4, "c2d send needs the device id and the body (quote it for the shell): " + form);
        }
        CloudMessage message = new CloudMessage(given.file() == null ? words.get(3) : null, given.file(),
                given.properties(), given.messageId(), given.ttlSeconds(), given.contentType());
        return Command.cloudToDevice(gateway, twinId("device id", words.get(2)), message);
    }

    /** {@code k=v} each, split at the first {@code =}; a name given twice would lose a value. */
    private static Map<String, String> properties(List<String> given) throws UsageException {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String p : given) {
            int eq = p.indexOf('=');
            if (eq <= 0) throw new UsageException("--property " + p + " is not <name>=<value>");
            if (properties.put(p.substring(0, eq), p.substring(eq + 1)) != null) {
                throw new UsageException("--property " + p.substring(0, eq) + " is given more than once");
            }
        }
        return properties;
    }

    /** Null leaves it to the gateway (an hour); checked here as the gateway would. */
    private static Long c2dTtl(String ttl) throws UsageException {
        if (ttl == null) return null;
        try {
            long seconds = Long.parseLong(ttl);
            if (seconds < 1 || seconds > MAX_C2D_TTL) throw new NumberFormatException();
            return seconds;
        } catch (NumberFormatException e) {
            throw new UsageException("--ttl " + ttl + " is not a number of seconds (1 to " + MAX_C2D_TTL + ")");
        }
    }

    /** A blank id would name another resource ({@code /api/twins/}), not this twin. */
    private static String twinId(String what, String id) throws UsageException {
        if (id != null && id.isBlank()) throw new UsageException("the " + what + " is empty");
        return id;
    }

    private static Command route(List<String> words, URI gateway, String message) throws UsageException {
        if (words.size() < 2) {
            throw new UsageException("route needs a subcommand: test or stats");
        }
        switch (words.get(1)) {
            case "test":
                // One argument: unquoted, the shell would split the route and expand its * and $.
                expectWords(words, 3, "route test needs the route as one quoted argument: "
                        + "route test 'FROM /messages/* WHERE $connectionDeviceId = \"press-7\" INTO $upstream'");
                return new Command(Action.ROUTE_TEST, gateway, null, null, null, null, null, words.get(2), message);
            case "stats":
                expectWords(words, 2, "route stats takes no arguments");
                return new Command(Action.ROUTE_STATS, gateway, null, null, null, null, null);
            default:
                throw new UsageException("unknown route subcommand " + words.get(1) + "; use test or stats");
        }
    }

    /**
     * {@code deadletters <endpoint>}, {@code deadletters purge|requeue <endpoint>}. No endpoint id is
     * {@code purge} or {@code requeue} ({@code $upstream} or {@code device/module/input}), so the
     * words cannot be mistaken for one.
     */
    private static Command deadLetters(List<String> words, URI gateway, String limit) throws UsageException {
        String quoting = " (quote ids with $ in the shell: '$upstream')";
        if (words.size() < 2) {
            throw new UsageException("deadletters needs an endpoint id: deadletters <endpoint> [--limit <n>], "
                    + "deadletters purge <endpoint> or deadletters requeue <endpoint>" + quoting);
        }
        String sub = words.get(1);
        if (sub.equals("purge") || sub.equals("requeue")) {
            expectWords(words, 3, "deadletters " + sub + " needs one endpoint id: deadletters " + sub + " <endpoint>"
                    + quoting);
            return Command.deadLetters(sub.equals("purge") ? Action.DEADLETTERS_PURGE : Action.DEADLETTERS_REQUEUE,
                    gateway, endpoint(words.get(2)), null);
        }
        expectWords(words, 2, "deadletters takes one endpoint id: deadletters <endpoint> [--limit <n>]" + quoting);
        return Command.deadLetters(Action.DEADLETTERS_LIST, gateway, endpoint(sub), limit(limit));
    }

    private static String endpoint(String id) throws UsageException {
        if (id.isBlank()) {
            // What the shell makes of "$upstream" in double quotes.
            throw new UsageException("the endpoint id is empty; quote ids with $ in single quotes: '$upstream'");
        }
        return id;
    }

    private static Integer limit(String limit) throws UsageException {
        if (limit == null) return null;
        try {
            int n = Integer.parseInt(limit);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--limit " + limit + " is not a number of dead letters (1 or more)");
        }
    }

    private static String moduleName(String name) throws UsageException {
        if (name.isBlank()) throw new UsageException("the module name is empty");
        return name;
    }

    /** Checked here as the gateway would, so a typo costs no round trip and gets the usage. */
    private static Integer tail(String tail) throws UsageException {
        if (tail == null) return null;
        try {
            int n = Integer.parseInt(tail);
            if (n < 1 || n > MAX_TAIL) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--tail " + tail + " is not a number of lines (1 to " + MAX_TAIL + ")");
        }
    }

    private static Long ttlSeconds(String ttl) throws UsageException {
        if (ttl == null) return 3600L;
        try {
            long seconds = Long.parseLong(ttl);
            if (seconds < 1) throw new NumberFormatException();
            return seconds;
        } catch (NumberFormatException e) {
            throw new UsageException("--ttl " + ttl + " is not a number of seconds (1 or more)");
        }
    }

    private static String optionValue(String[] args, int i, String option) throws UsageException {
        String arg = args[i];
        String value;
        if (arg.startsWith(option + "=")) {
            value = arg.substring(option.length() + 1);
        } else if (i + 1 < args.length) {
            value = args[i + 1];
        } else {
            throw new UsageException(option + " needs a value");
        }
        if (value.isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return value;
    }

    private static void noOptions(String command, String module, String key) throws UsageException {
        if (module != null) throw new UsageException(command + " takes no --module");
        if (key != null) throw new UsageException(command + " takes no --key");
    }

    private static void expectWords(List<String> words, int count, String message) throws UsageException {
        if (words.size() != count) throw new UsageException(message);
    }

    static URI gateway(String url, Map<String, String> env) throws UsageException {
        if (url == null) {
            String port = env.get(PORT_VARIABLE);
            if (port == null || port.isBlank()) {
                return URI.create("http://127.0.0.1:" + DEFAULT_PORT);
            }
            try {
                int p = Integer.parseInt(port.trim());
                if (p < 1 || p > 65535) throw new NumberFormatException();
                return URI.create("http://127.0.0.1:" + p);
            } catch (NumberFormatException e) {
                throw new UsageException(PORT_VARIABLE + "=" + port + " is not a port number (1-65535)");
            }
        }
        try {
            URI uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(url, "expected http://host:port");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("--url " + url + " is not a gateway address like http://127.0.0.1:8080");
        }
    }
}
