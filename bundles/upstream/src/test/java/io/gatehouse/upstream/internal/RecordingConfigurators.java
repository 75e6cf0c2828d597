package io.gatehouse.upstream.internal;

import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Agent and hub configurators that record each call ({@code agent.validate {json}}) and can refuse. */
final class RecordingConfigurators {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile InvalidConfigurationException agentRefusal;

    final EdgeAgentConfigurator agent = new EdgeAgentConfigurator() {
        @Override
        public void validate(String json) throws InvalidConfigurationException {
            calls.add("agent.validate " + json);
            if (agentRefusal != null) throw agentRefusal;
        }

        @Override
        public void apply(String json) throws InvalidConfigurationException {
            calls.add("agent.apply " + json);
            if (agentRefusal != null) throw agentRefusal;
        }

        @Override
        public String current() {
            return null;
        }
    };

    final EdgeHubConfigurator hub = new EdgeHubConfigurator() {
        @Override
        public void validate(String json) {
            calls.add("hub.validate " + json);
        }

        @Override
        public void apply(String json) {
            calls.add("hub.apply " + json);
        }

        @Override
        public String current() {
            return null;
        }
    };

    /** The calls without their JSON. */
    List<String> verbs() {
        return calls.stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
    }
}
