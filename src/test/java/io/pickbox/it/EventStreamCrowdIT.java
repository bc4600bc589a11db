package io.pickbox.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.pickbox.it.ItSupport.awaitContent;
import static io.pickbox.it.ItSupport.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crowd of event-stream clients on one node: they hold no server threads, those past the cap are
 * refused with 503, and the node's API still answers and its folder still replicates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStreamCrowdIT {

    private static final int CLIENTS = 300;
    /** What the CLI waits for an answer. */
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path base;
    TestCluster cluster;
    private final List<Socket> streams = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.inJvm(base, 3);
    }

    @AfterAll
    void stop() throws IOException {
        for (Socket s : streams) s.close();
        if (cluster != null) cluster.close();
    }

    /** Opens an event stream and returns its status; the connection stays open when it streams. */
    private int openStream(String address) throws IOException {
        String[] hp = address.split(":");
        Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
        streams.add(s);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("GET /v1/events HTTP/1.1\r\nHost: " + address + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) line.write(c);
        return Integer.parseInt(line.toString(StandardCharsets.ISO_8859_1).split(" ")[1]);
    }

    @Test
    void threeHundredStreamsLeaveTheApiAnsweringAndFilesReplicating() throws Exception {
        TestNode n1 = cluster.node(0), n2 = cluster.node(1);
        int streaming = 0, refused = 0;
        for (int i = 0; i < CLIENTS; i++) {
            int status = openStream(n2.adminAddress());
            if (status == 200) streaming++;
            else if (status == 503) refused++;
        }
        assertThat(streaming).isPositive();
        assertThat(streaming + refused).isEqualTo(CLIENTS);
        assertThat(refused).as("clients past the cap are refused").isPositive();

        HttpResponse<String> status = AdminHttp.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + n2.adminAddress() + "/v1/status"))
                .timeout(STATUS_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(AdminHttp.json(status).path("members").size()).isEqualTo(3);

        byte[] big = randomBytes(3 << 20, 20);
        ItSupport.write(n1.file("crowd/big.bin"), big);
        awaitContent(cluster.nodes(), "crowd/big.bin", big, Duration.ofSeconds(60));
    }
}
