package io.gatehouse.headsupport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.headsupport.net.HeadEventLoops;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A TLS listener with an echo protocol behind it, on real sockets, its certificates bound and replaced as DS does. */
class TlsListenerTest {
    private static HeadEventLoops loops;
    private static TestCertificates certsA;
    private static TestCertificates certsB;
    private final List<String> pipelines = new CopyOnWriteArrayList<>();
    private CertificatesBinding binding;

    @BeforeAll
    static void start() throws Exception {
        loops = new HeadEventLoops("test-tls", 1);
        certsA = TestCertificates.issue("Listener CA A", "EC");
        certsB = TestCertificates.issue("Listener CA B", "EC");
    }

    @AfterAll
    static void stop() {
        loops.shutdown();
    }

    @BeforeEach
    void newBinding() {
        binding = new CertificatesBinding();
    }

    @AfterEach
    void closeListener() {
        binding.close();
    }

    private TlsListener listener(int port) {
        return new TlsListener("Test TLS", loops.bootstrap(), ch -> {
            pipelines.add(ch.pipeline().get(TlsListener.TLS_HANDLER).getClass().getSimpleName());
            ch.pipeline().addLast("echo", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                }
            });
        }, "127.0.0.1", port);
    }

    /** The server certificate presented, after an echo went through the protocol handler. */
    private Certificate handshake(TestCertificates trusting) throws Exception {
        try (SSLSocket s = (SSLSocket) trusting.clientTrustingOnlyThisCa().createSocket("127.0.0.1", binding.boundPort())) {
            s.setSoTimeout(5_000);
            s.startHandshake();
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            return s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void itOpensOnceCertificatesAreBoundAndTheProtocolComesAfterTls() throws Exception {
        binding.open(listener(0));
        assertThat(binding.boundPort()).as("no certificates yet").isEqualTo(-1);
        binding.bind(certsA);
        assertThat(binding.boundPort()).isPositive();
        assertThat(handshake(certsA)).isEqualTo(certsA.server());
        assertThat(pipelines).as("the TLS handler is there before the protocol's").containsExactly("SslHandler");
    }

    @Test
    void aRenewalKeepsThePortAndReachesNewConnections() throws Exception {
        binding.bind(certsA);
        binding.open(listener(0));
        int port = binding.boundPort();
        assertThat(port).as("certificates bound before it opened").isPositive();

        binding.bind(certsB); // a greedy rebind: the successor first
        binding.unbind(certsA);

        assertThat(binding.boundPort()).isEqualTo(port);
        assertThat(handshake(certsB)).isEqualTo(certsB.server());
        assertThatThrownBy(() -> handshake(certsA)).isInstanceOf(IOException.class);
    }

    @Test
    void unusableCertificatesChangeNothing() throws Exception {
        binding.bind(certsA);
        binding.open(listener(0));
        int port = binding.boundPort();
        binding.bind(certsB.withPrivateKeyOf(certsA));
        assertThat(binding.boundPort()).isEqualTo(port);
        assertThat(handshake(certsA)).as("still the previous certificates").isEqualTo(certsA.server());

        TlsListener closed = listener(0);
        closed.present(certsB.withPrivateKeyOf(certsA));
        assertThat(closed.boundPort()).as("a closed listener stays closed").isEqualTo(-1);
    }

    @Test
    void withdrawnCertificatesCloseThePortUntilOthersCome() throws Exception {
        binding.bind(certsA);
        binding.open(listener(0));
        int port = binding.boundPort();

        binding.unbind(certsB); // not the bound one: a late unbind after a rebind
        assertThat(binding.boundPort()).isEqualTo(port);

        binding.unbind(certsA);
        assertThat(binding.boundPort()).isEqualTo(-1);
        assertThatThrownBy(() -> {
            try (SSLSocket s = (SSLSocket) certsA.clientTrustingOnlyThisCa().createSocket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.startHandshake();
            }
        }).isInstanceOf(IOException.class);

        binding.bind(certsB);
        assertThat(binding.boundPort()).isPositive();
        assertThat(handshake(certsB)).isEqualTo(certsB.server());
    }

    @Test
    void aPortThatCannotBeBoundLeavesItClosedAndTheNextChangeTriesAgain() throws Exception {
        int port;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = taken.getLocalPort();
            binding.bind(certsA);
            binding.open(listener(port));
            assertThat(binding.boundPort()).isEqualTo(-1);
        }
        binding.bind(certsB);
        assertThat(binding.boundPort()).isEqualTo(port);
        assertThat(handshake(certsB)).isEqualTo(certsB.server());
    }

    @Test
    void closingCloses() throws Exception {
        binding.bind(certsA);
        binding.open(listener(0));
        assertThat(binding.boundPort()).isPositive();
        binding.close();
        assertThat(binding.boundPort()).isEqualTo(-1);
        binding.bind(certsB);
        assertThat(binding.boundPort()).as("no listener after close").isEqualTo(-1);
    }
}
