package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.cli.Command.Action;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static Command parse(String... args) throws UsageException {
        return CommandLine.parse(args, NO_ENV);
    }

    @Test
    void identityAddTakesADeviceAndOptionallyAModuleAndAKey() throws Exception {
        Command c = parse("identity", "add", "edge1", "--module", "filter", "--key=c2VjcmV0");
        assertThat(c.action()).isEqualTo(Action.IDENTITY_ADD);
        assertThat(c.deviceId()).isEqualTo("edge1");
        assertThat(c.moduleId()).isEqualTo("filter");
        assertThat(c.key()).isEqualTo("c2VjcmV0");

        Command device = parse("identity", "add", "press-7");
        assertThat(device.moduleId()).isNull();
        assertThat(device.key()).isNull();
        assertThat(device.registration()).isEqualTo(new Command.Registration(false, null));
    }

    @Test
    void identityAddTakesAnEdgeFlagAndAParent() throws Exception {
        assertThat(parse("identity", "add", "child1", "--edge").registration())
                .isEqualTo(new Command.Registration(true, null));
        assertThat(parse("identity", "add", "sensor-3", "--parent", "child1", "--key", "a2V5").registration())
                .isEqualTo(new Command.Registration(false, "child1"));
        assertThat(parse("identity", "add", "child2", "--edge", "--parent=child1").registration())
                .isEqualTo(new Command.Registration(true, "child1"));
    }

    private static final String SHA1 = "3A9FC2075E11D48B60AF239CB40E7D5218C6F19A";
    private static final String SHA256 = "5B0E8E1C4F7A2D9036B1C8E4F2A7D0193C6E5B8A4D2F1E0C9B7A6D5E4F3C2B1A";

    /** Bytes separated by colons, as openssl x509 -fingerprint prints them. */
    private static String colons(String hex) {
        return String.join(":", hex.split("(?<=\\G..)"));
    }

    @Test
    void identityAddTakesThumbprintsAsOpensslPrintsThemOrPlainAndKeepsThemUpperCaseWithoutColons() throws Exception {
        assertThat(parse("identity", "add", "cam-2", "--x509-thumbprint", colons(SHA1).toLowerCase()).registration())
                .isEqualTo(new Command.Registration(false, null, SHA1, null));
        assertThat(parse("identity", "add", "cam-2", "--x509-thumbprint=" + SHA256,
                "--x509-secondary-thumbprint", "sha1 Fingerprint=" + colons(SHA1)).registration())
                .isEqualTo(new Command.Registration(false, null, SHA256, SHA1));
        assertThat(parse("identity", "add", "cam-2", "--x509-thumbprint", "SHA256 Fingerprint=" + colons(SHA256)
                .toLowerCase()).registration().primaryThumbprint()).isEqualTo(SHA256);
        Command module = parse("identity", "add", "edge1", "--module", "cam", "--x509-thumbprint", SHA1.toLowerCase());
        assertThat(module.moduleId()).isEqualTo("cam");
        assertThat(module.registration().primaryThumbprint()).isEqualTo(SHA1);
        Command leaf = parse("identity", "add", "sensor-3", "--parent", "child1", "--x509-thumbprint", SHA1);
        assertThat(leaf.registration()).isEqualTo(new Command.Registration(false, "child1", SHA1, null));
        // Length and digits are the gateway's to judge, so that the reason is the registry's own.
        assertThat(parse("identity", "add", "d", "--x509-thumbprint", "ab:c").registration().primaryThumbprint())
                .isEqualTo("ABC");
    }

    @Test
    void thumbprintMistakesAreUsageErrors() {
        assertUsage("--x509-secondary-thumbprint goes with --x509-thumbprint", "identity", "add", "d",
                "--x509-secondary-thumbprint", SHA1);
        assertUsage("--x509-thumbprint goes with identity add", "identity", "list", "--x509-thumbprint", SHA1);
        assertUsage("--x509-secondary-thumbprint goes with identity add", "identity", "show", "d",
                "--x509-secondary-thumbprint", SHA1);
        assertUsage("--x509-thumbprint needs a value", "identity", "add", "d", "--x509-thumbprint");
        assertUsage("--x509-thumbprint : : has no hex digits", "identity", "add", "d", "--x509-thumbprint", ": :");
        assertUsage("--x509-secondary-thumbprint SHA1 Fingerprint= has no hex digits", "identity", "add", "d",
                "--x509-thumbprint", SHA1, "--x509-secondary-thumbprint", "SHA1 Fingerprint=");
    }

    @Test
    void edgeParentAndDeviceMistakesAreUsageErrors() {
        assertUsage("a module cannot be an edge device nor have a parent", "identity", "add", "d", "--module", "m", "--edge");
        assertUsage("a module cannot be an edge device nor have a parent", "identity", "add", "d", "--module", "m",
                "--parent", "p");
        assertUsage("--edge goes with identity add", "identity", "list", "--edge");
        assertUsage("--parent goes with identity add", "identity", "show", "d", "--parent", "p");
        assertUsage("--parent needs a value", "identity", "add", "d", "--parent");
        assertUsage("--parent needs an edge device id", "identity", "add", "d", "--parent", " ");
        assertUsage("--device goes with deploy", "queues", "--device", "child1");
        assertUsage("--device needs a value", "deploy", "m.json", "--device");
        assertUsage("--device needs a device id", "deploy", "m.json", "--device", " ");
    }

    @Test
    void deployTakesAnOptionalChildDevice() throws Exception {
        Command child = parse("deploy", "--device", "child1", "m.json");
        assertThat(child.action()).isEqualTo(Action.DEPLOY);
        assertThat(child.deviceId()).isEqualTo("child1");
        assertThat(child.manifest()).isEqualTo("m.json");
        assertThat(parse("deploy", "m.json").deviceId()).isNull();
    }

    @Test
    void c2dSendTakesADeviceABodyOrFileAndOptions() throws Exception {
        Command c = parse("c2d", "send", "press-7", "open valve 3", "--property", "urgency=high", "--property=zone=b=2",
                "--message-id", "m-1", "--ttl", "600", "--content-type", "text/plain");
        assertThat(c.action()).isEqualTo(Action.C2D_SEND);
        assertThat(c.deviceId()).isEqualTo("press-7");
        assertThat(c.cloudMessage()).isEqualTo(new Command.CloudMessage("open valve 3", null,
                Map.of("urgency", "high", "zone", "b=2"), "m-1", 600L, "text/plain"));
        assertThat(c.cloudMessage().properties().keySet()).containsExactly("urgency", "zone");

        Command file = parse("c2d", "send", "press-7", "--file", "-");
        assertThat(file.cloudMessage()).isEqualTo(new Command.CloudMessage(null, "-", Map.of(), null, null, null));
        assertThat(parse("c2d", "send", "press-7", "").cloudMessage().body()).isEmpty();
    }

    @Test
    void c2dMistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertUsage("c2d needs a subcommand: send", "c2d");
        assertUsage("unknown c2d subcommand post; use send", "c2d", "post", "d", "x");
        assertUsage("c2d send needs the device id and the body", "c2d", "send", "d");
        assertUsage("c2d send needs the device id and the body", "c2d", "send", "d", "open", "valve");
        assertUsage("give the body once", "c2d", "send", "d", "x", "--file", "b.txt");
        assertUsage("c2d send needs the device id", "c2d", "send", "--file", "b.txt");
        assertUsage("the device id is empty", "c2d", "send", " ", "x");
        assertUsage("--property urgent is not <name>=<value>", "c2d", "send", "d", "x", "--property", "urgent");
        assertUsage("--property =x is not <name>=<value>", "c2d", "send", "d", "x", "--property", "=x");
        assertUsage("--property a is given more than once", "c2d", "send", "d", "x", "--property", "a=1", "--property", "a=2");
        assertUsage("--ttl 0 is not a number of seconds (1 to 172800)", "c2d", "send", "d", "x", "--ttl", "0");
        assertUsage("--ttl 172801 is not a number of seconds", "c2d", "send", "d", "x", "--ttl", "172801");
        assertUsage("--property goes with c2d send", "queues", "--property", "a=1");
        assertUsage("--message-id goes with c2d send", "identity", "add", "d", "--message-id", "m");
        assertUsage("--file goes with c2d send", "deploy", "m.json", "--file", "x");
        assertUsage("--content-type goes with c2d send", "health", "--content-type", "t");
        assertUsage("c2d takes no --module", "c2d", "send", "d", "x", "--module", "m");
        assertUsage("--ttl goes with identity token or c2d send", "queues", "--ttl", "5");
    }

    @Test
    void identityShowAndRemoveTakeADeviceAndOptionallyAModule() throws Exception {
        Command show = parse("identity", "show", "edge1", "--module=filter");
        assertThat(show.action()).isEqualTo(Action.IDENTITY_SHOW);
        assertThat(show.moduleId()).isEqualTo("filter");
        Command remove = parse("identity", "remove", "edge1");
        assertThat(remove.action()).isEqualTo(Action.IDENTITY_REMOVE);
        assertThat(remove.deviceId()).isEqualTo("edge1");
        assertThat(parse("identity", "list").action()).isEqualTo(Action.IDENTITY_LIST);
    }

    @Test
    void otherCommands() throws Exception {
        Command deploy = parse("deploy", "etc/deployment.json");
        assertThat(deploy.action()).isEqualTo(Action.DEPLOY);
        assertThat(deploy.manifest()).isEqualTo("etc/deployment.json");
        assertThat(parse("queues").action()).isEqualTo(Action.QUEUES);
        assertThat(parse("health").action()).isEqualTo(Action.HEALTH);
        assertThat(parse().action()).isEqualTo(Action.HELP);
        assertThat(parse("help").action()).isEqualTo(Action.HELP);
        assertThat(parse("queues", "--help").action()).isEqualTo(Action.HELP);
    }

    @Test
    void routeTestTakesTheRouteAsOneArgumentAndOptionallyAMessageFile() throws Exception {
        Command test = parse("route", "test", "FROM /messages/* INTO $upstream", "--message", "m.json");
        assertThat(test.action()).isEqualTo(Action.ROUTE_TEST);
        assertThat(test.route()).isEqualTo("FROM /messages/* INTO $upstream");
        assertThat(test.messageFile()).isEqualTo("m.json");
        assertThat(parse("route", "test", "FROM /messages/* INTO $upstream").messageFile()).isNull();
        assertThat(parse("route", "stats").action()).isEqualTo(Action.ROUTE_STATS);
    }

    @Test
    void deadLettersTakeAnEndpointAndListingOptionallyALimit() throws Exception {
        Command list = parse("deadletters", "$upstream");
        assertThat(list.action()).isEqualTo(Action.DEADLETTERS_LIST);
        assertThat(list.endpoint()).isEqualTo("$upstream");
        assertThat(list.limit()).isNull();
        assertThat(parse("deadletters", "edge1/f/in", "--limit", "5").limit()).isEqualTo(5);
        assertThat(parse("deadletters", "--limit=7", "edge1/f/in").limit()).isEqualTo(7);

        Command purge = parse("deadletters", "purge", "$upstream");
        assertThat(purge.action()).isEqualTo(Action.DEADLETTERS_PURGE);
        assertThat(purge.endpoint()).isEqualTo("$upstream");
        Command requeue = parse("deadletters", "requeue", "edge1/f/in");
        assertThat(requeue.action()).isEqualTo(Action.DEADLETTERS_REQUEUE);
        assertThat(requeue.endpoint()).isEqualTo("edge1/f/in");
    }

    @Test
    void deadLetterMistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertUsage("deadletters needs an endpoint id", "deadletters");
        assertUsage("quote ids with $ in the shell: '$upstream'", "deadletters");
        assertUsage("deadletters needs an endpoint id", "deadletters", "--limit", "5");
        assertUsage("deadletters takes one endpoint id", "deadletters", "a", "b");
        assertUsage("deadletters purge needs one endpoint id", "deadletters", "purge");
        assertUsage("deadletters requeue needs one endpoint id", "deadletters", "requeue", "a", "b");
        assertUsage("the endpoint id is empty", "deadletters", "purge", "");
        assertUsage("--limit goes with deadletters <endpoint>", "deadletters", "purge", "$upstream", "--limit", "5");
        assertUsage("--limit goes with deadletters <endpoint>", "queues", "--limit", "5");
        assertUsage("--limit 0 is not a number of dead letters (1 or more)", "deadletters", "$upstream", "--limit", "0");
        assertUsage("--limit ten is not a number", "deadletters", "$upstream", "--limit=ten");
        assertUsage("--limit needs a value", "deadletters", "$upstream", "--limit");
        assertUsage("deadletters takes no --module", "deadletters", "$upstream", "--module", "m");
    }

    @Test
    void moduleCommandsTakeAModuleNameAndLogsOptionallyATail() throws Exception {
        assertThat(parse("list").action()).isEqualTo(Action.MODULE_LIST);
        Command logs = parse("logs", "filter");
        assertThat(logs.action()).isEqualTo(Action.MODULE_LOGS);
        assertThat(logs.moduleId()).isEqualTo("filter");
        assertThat(logs.tail()).isNull();
        assertThat(parse("logs", "filter", "--tail", "1").tail()).isEqualTo(1);
        assertThat(parse("logs", "--tail=10000", "filter").tail()).isEqualTo(10_000);
        Command restart = parse("restart", "filter");
        assertThat(restart.action()).isEqualTo(Action.MODULE_RESTART);
        assertThat(restart.moduleId()).isEqualTo("filter");
    }

    @Test
    void moduleCommandMistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertUsage("list takes no arguments", "list", "filter");
        assertUsage("logs needs one module name: logs <module> [--tail <n>]", "logs");
        assertUsage("logs needs one module name", "logs", "--tail", "5");
        assertUsage("logs needs one module name", "logs", "a", "b");
        assertUsage("restart needs one module name: restart <module>", "restart");
        assertUsage("restart needs one module name", "restart", "a", "b");
        assertUsage("the module name is empty", "restart", " ");
        assertUsage("--tail 0 is not a number of lines (1 to 10000)", "logs", "filter", "--tail", "0");
        assertUsage("--tail 10001 is not a number of lines (1 to 10000)", "logs", "filter", "--tail=10001");
        assertUsage("--tail ten is not a number of lines", "logs", "filter", "--tail", "ten");
        assertUsage("--tail needs a value", "logs", "filter", "--tail");
        assertUsage("--tail goes with logs <module>", "restart", "filter", "--tail", "5");
        assertUsage("--tail goes with logs <module>", "list", "--tail", "5");
        assertUsage("logs takes no --module", "logs", "x", "--module", "filter");
    }

    @Test
    void twinGetAndSetTakeADeviceOptionallyAModuleAndSetAPatchFileOrDash() throws Exception {
        Command get = parse("twin", "get", "edge1", "--module", "filter");
        assertThat(get.action()).isEqualTo(Action.TWIN_GET);
        assertThat(get.deviceId()).isEqualTo("edge1");
        assertThat(get.moduleId()).isEqualTo("filter");
        assertThat(get.patchFile()).isNull();
        assertThat(parse("twin", "get", "edge1").moduleId()).isNull();

        Command set = parse("twin", "set", "edge1", "patch.json", "--module=filter");
        assertThat(set.action()).isEqualTo(Action.TWIN_SET);
        assertThat(set.deviceId()).isEqualTo("edge1");
        assertThat(set.moduleId()).isEqualTo("filter");
        assertThat(set.patchFile()).isEqualTo("patch.json");
        Command stdin = parse("twin", "set", "press-7", "-");
        assertThat(stdin.patchFile()).isEqualTo("-");
        assertThat(stdin.moduleId()).isNull();
    }

    @Test
    void twinMistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertUsage("twin needs a subcommand: get or set", "twin");
        assertUsage("unknown twin subcommand show; use get or set", "twin", "show", "edge1");
        assertUsage("twin get needs one device id: twin get <deviceId> [--module <moduleId>]", "twin", "get");
        assertUsage("twin get needs one device id", "twin", "get", "edge1", "filter");
        assertUsage("twin set needs a device id and the patch file: twin set <deviceId> [--module <moduleId>] "
                + "<patch.json | ->", "twin", "set", "edge1");
        assertUsage("twin set needs a device id and the patch file", "twin", "set", "edge1", "a.json", "b.json");
        assertUsage("the device id is empty", "twin", "get", " ");
        assertUsage("the module id is empty", "twin", "set", "edge1", "--module", " ", "p.json");
        assertUsage("twin get takes no --key", "twin", "get", "edge1", "--key", "k");
        assertUsage("--tail goes with logs <module>", "twin", "get", "edge1", "--tail", "5");
        assertUsage("--limit goes with deadletters <endpoint>", "twin", "get", "edge1", "--limit", "5");
    }

    @Test
    void methodInvokeTakesADeviceOptionallyAModuleTheNameAndOptionallyAPayloadAndTimeouts() throws Exception {
        Command c = parse("method", "invoke", "edge1", "--module", "$edgeAgent", "RestartModule",
                "--payload", " {\"id\": \"filter\"} ", "--timeout", "5", "--connect-timeout=300");
        assertThat(c.action()).isEqualTo(Action.METHOD_INVOKE);
        assertThat(c.deviceId()).isEqualTo("edge1");
        assertThat(c.moduleId()).isEqualTo("$edgeAgent");
        assertThat(c.method()).isEqualTo(new Command.MethodCall("RestartModule", "{\"id\":\"filter\"}", null, 5, 300));

        Command bare = parse("method", "invoke", "press-7", "reboot");
        assertThat(bare.moduleId()).isNull();
        assertThat(bare.method()).isEqualTo(new Command.MethodCall("reboot", null, null, null, null));
        assertThat(parse("method", "invoke", "d", "m", "--payload=\"on\"").method().payload()).isEqualTo("\"on\"");
        assertThat(parse("method", "invoke", "d", "m", "--payload", "-1.50").method().payload()).isEqualTo("-1.50");
        assertThat(parse("method", "invoke", "d", "m", "--payload", "null").method().payload()).isEqualTo("null");
        assertThat(parse("method", "invoke", "d", "m", "--payload-file", "-").method().payloadFile()).isEqualTo("-");
        assertThat(parse("method", "invoke", "d", "m", "--timeout=300", "--connect-timeout", "0").method())
                .isEqualTo(new Command.MethodCall("m", null, null, 300, 0));
    }

    @Test
    void methodMistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertUsage("method needs a subcommand: invoke", "method");
        assertUsage("unknown method subcommand call; use invoke", "method", "call", "edge1", "m");
        assertUsage("method invoke needs a device id and the method name: method invoke <deviceId> [--module <moduleId>]"
                + " <methodName>", "method", "invoke", "edge1");
        assertUsage("method invoke needs a device id and the method name", "method", "invoke", "edge1", "m", "extra");
        assertUsage("the method name is empty", "method", "invoke", "edge1", " ");
        assertUsage("the device id is empty", "method", "invoke", "", "m");
        assertUsage("the module id is empty", "method", "invoke", "edge1", "--module=  ", "m");
        assertUsage("--payload hello is not JSON: unexpected character 'h' at offset 0; a string needs its quotes",
                "method", "invoke", "edge1", "m", "--payload", "hello");
        assertUsage("--payload {\"a\": is not JSON: unexpected end", "method", "invoke", "edge1", "m", "--payload", "{\"a\":");
        assertUsage("--payload [1] x is not JSON: unexpected text after the value",
                "method", "invoke", "edge1", "m", "--payload", "[1] x");
        assertUsage("give the payload once: --payload <json> or --payload-file <file | ->",
                "method", "invoke", "edge1", "m", "--payload", "1", "--payload-file", "p.json");
        assertUsage("--payload needs a value", "method", "invoke", "edge1", "m", "--payload");
        assertUsage("--timeout 4 is not a number of seconds (5 to 300)", "method", "invoke", "edge1", "m", "--timeout", "4");
        assertUsage("--timeout 301 is not a number of seconds (5 to 300)", "method", "invoke", "edge1", "m", "--timeout=301");
        assertUsage("--timeout 1.5 is not a number of seconds", "method", "invoke", "edge1", "m", "--timeout", "1.5");
        assertUsage("--connect-timeout -1 is not a number of seconds (0 to 300)",
                "method", "invoke", "edge1", "m", "--connect-timeout", "-1");
        assertUsage("--connect-timeout 301 is not a number of seconds (0 to 300)",
                "method", "invoke", "edge1", "m", "--connect-timeout", "301");
        assertUsage("--connect-timeout ten is not a number of seconds", "method", "invoke", "edge1", "m",
                "--connect-timeout=ten");
        assertUsage("method takes no --key", "method", "invoke", "edge1", "m", "--key", "k");
        assertUsage("--payload goes with method invoke", "twin", "get", "edge1", "--payload", "1");
        assertUsage("--payload-file goes with method invoke", "method", "--payload-file", "p.json");
        assertUsage("--timeout goes with method invoke", "logs", "filter", "--timeout", "30");
        assertUsage("--connect-timeout goes with method invoke", "restart", "filter", "--connect-timeout", "5");
        assertUsage("--tail goes with logs <module>", "method", "invoke", "edge1", "m", "--tail", "5");
    }

    @Test
    void theGatewayIsLoopbackOnTheConfiguredPortUnlessUrlSaysOtherwise() throws Exception {
        assertThat(parse("health").gateway()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(CommandLine.parse(new String[] {"health"}, Map.of("GATEHOUSE_HTTP_PORT", "9090")).gateway())
                .isEqualTo(URI.create("http://127.0.0.1:9090"));
        assertThat(CommandLine.parse(new String[] {"health", "--url", "http://gw:81/"}, Map.of("GATEHOUSE_HTTP_PORT", "9090"))
                .gateway()).isEqualTo(URI.create("http://gw:81"));
        assertThat(parse("--url=http://10.0.0.2:8080", "queues").gateway()).isEqualTo(URI.create("http://10.0.0.2:8080"));
    }

    @Test
    void mistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertUsage("unknown command frobnicate", "frobnicate");
        assertUsage("identity needs a subcommand", "identity");
        assertUsage("unknown identity subcommand rename", "identity", "rename", "x");
        assertUsage("identity add needs one device id", "identity", "add");
        assertUsage("identity add needs one device id", "identity", "add", "a", "b");
        assertUsage("identity show needs one device id", "identity", "show");
        assertUsage("identity remove takes no --key", "identity", "remove", "d", "--key", "k");
        assertUsage("identity list takes no --module", "identity", "list", "--module", "m");
        assertUsage("--module needs a value", "identity", "add", "d", "--module");
        assertUsage("--key needs a value", "identity", "add", "d", "--key=");
        assertUsage("deploy needs the manifest file", "deploy");
        assertUsage("queues takes no arguments", "queues", "extra");
        assertUsage("unknown option --force", "deploy", "m.json", "--force");
        assertUsage("--url ftp://x is not a gateway address", "--url", "ftp://x", "health");
        assertUsage("--url nonsense is not a gateway address", "--url", "nonsense", "health");
        assertUsage("route needs a subcommand: test or stats", "route");
        assertUsage("unknown route subcommand run; use test or stats", "route", "run");
        assertUsage("route test needs the route as one quoted argument", "route", "test");
        assertUsage("route test needs the route as one quoted argument", "route", "test", "FROM", "/messages/*", "INTO", "x");
        assertUsage("route stats takes no arguments", "route", "stats", "now");
        assertUsage("--message goes with route test", "route", "stats", "--message", "m.json");
        assertUsage("--message goes with route test", "deploy", "d.json", "--message=m.json");
        assertUsage("--message needs a value", "route", "test", "FROM /messages/* INTO $upstream", "--message");
        assertUsage("route takes no --module", "route", "stats", "--module", "m");
    }

    @Test
    void aBadPortVariableIsAUsageError() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"health"}, Map.of("GATEHOUSE_HTTP_PORT", "80a")))
                .isInstanceOf(UsageException.class)
                .hasMessage("GATEHOUSE_HTTP_PORT=80a is not a port number (1-65535)");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"health"}, Map.of("GATEHOUSE_HTTP_PORT", "70000")))
                .isInstanceOf(UsageException.class);
    }

    private static void assertUsage(String message, String... args) {
        assertThatThrownBy(() -> parse(args)).as(String.join(" ", args))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(message);
    }
}
