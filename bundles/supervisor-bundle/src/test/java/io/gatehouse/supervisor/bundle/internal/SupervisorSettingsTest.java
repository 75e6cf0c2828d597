package io.gatehouse.supervisor.bundle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupervisorSettingsTest {

    static SupervisorSettings of(Map<String, Object> overrides) {
        return SupervisorSettings.of(Configs.of(BundleModuleRuntime.Config.class, overrides));
    }

    @Test
    void defaults() {
        SupervisorSettings settings = of(Map.of());
        assertThat(settings.localRepository())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".m2", "repository"));
        assertThat(settings.repositories()).containsExactly(URI.create("https://repo1.maven.org/maven2"));
        assertThat(settings.cacheDirectory()).isEqualTo(Path.of("data/bundles"));
        assertThat(settings.artifactCache()).isEqualTo(Path.of("data/bundles/repository"));
        assertThat(settings.downloadTimeout().toSeconds()).isEqualTo(60);
    }

    @Test
    void aCommaSeparatedListAndAnEmptyOne() {
        assertThat(of(Map.of("repositories", new String[] {"http://a.example/m2/, https://b.example/r"}))
                .repositories())
                .containsExactly(URI.create("http://a.example/m2"), URI.create("https://b.example/r"));
        assertThat(of(Map.of("repositories", new String[] {""})).repositories()).isEmpty();
        assertThat(of(Map.of("localRepository", "")).localRepository()).isNull();
    }

    @Test
    void badValuesAreRefusedWithTheKey() {
        assertThatThrownBy(() -> of(Map.of("repositories", new String[] {"ftp://x.example/m2"})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> of(Map.of("repositories", new String[] {"https://u:secret@x.example/m2?a=b"})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
        assertThatThrownBy(() -> of(Map.of("cacheDirectory", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cacheDirectory");
        assertThatThrownBy(() -> of(Map.of("downloadTimeoutSeconds", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("downloadTimeoutSeconds");
    }
}
