package io.pickbox.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web dashboard in a real headless Chromium: signing in with the node's token, then members,
 * and a file created during the test, live; a file's history and the recently deleted, restored.
 */
class DashboardIT {

    private static final String TOKEN = "dashboard-token-0123456789";
    private static final int MANY = 130;

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path base;
    TestCluster cluster;
    WebDriver driver;

    @AfterEach
    void stop() {
        if (driver != null) driver.quit();
        if (cluster != null) cluster.close();
    }

    private WebDriver browser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(base.resolve("chrome-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void showsMembersAndLiveChanges() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: /usr/bin/chromium or /usr/bin/chromedriver is not installed "
                        + "(apt-get install -y chromium chromium-driver)");
        cluster = TestCluster.inJvm(base, 2, b -> b.adminToken(TOKEN));
        TestCluster.write(cluster.node(0).file("before/old.txt"), "there before the page loaded");
        ItSupport.awaitContent(cluster.nodes(), "before/old.txt", "there before the page loaded", Duration.ofSeconds(30));
        // More entries in one directory than the browser shows in a page.
        for (int i = 0; i < MANY; i++) TestCluster.write(cluster.node(0).file(String.format("many/f%03d.txt", i)), "f" + i);
        ItSupport.awaitContent(cluster.nodes(), String.format("many/f%03d.txt", MANY - 1), "f" + (MANY - 1), Duration.ofSeconds(60));

        driver = browser();
        String page = "http://" + cluster.node(0).adminAddress() + "/";
        driver.get(page);
        // The page re-renders its tables as status arrives: an element found a moment ago may be
        // replaced before it is read, so every read is retried until it holds.
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30), Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);

        // The node wants its token: the page asks for it, refuses a wrong one, and keeps a cookie for the right one.
        wait.until(d -> d.findElement(By.id("signin")).isDisplayed());
        assertThat(driver.findElement(By.id("dashboard")).isDisplayed()).isFalse();
        signIn("not-the-token");
        wait.until(d -> d.findElement(By.id("signin-error")).getText().contains("Wrong token"));
        assertThat(driver.manage().getCookies()).isEmpty();
        signIn(TOKEN);
        wait.until(d -> d.findElement(By.id("dashboard")).isDisplayed() && !d.findElement(By.id("signin")).isDisplayed());
        Cookie session = driver.manage().getCookies().iterator().next();
        assertThat(session.getName()).startsWith("pickbox_session");
        assertThat(session.getValue()).doesNotContain(TOKEN);
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        // A reload stays signed in.
        driver.navigate().refresh();

        // Members with their roles.
        wait.until(d -> d.findElements(By.cssSelector("#members tbody tr.member")).stream()
                .map(r -> r.getAttribute("data-id")).sorted().toList().equals(List.of("node1", "node2")));
        wait.until(d -> d.findElement(By.id("members")).getText().contains("leader")
                && d.findElement(By.id("members")).getText().contains("follower"));
        wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
        wait.until(d -> List.of("leader", "follower").contains(d.findElement(By.id("s-role")).getText()));
        wait.until(d -> !d.findElements(By.cssSelector("#files tr.file[data-path='before']")).isEmpty());

        // A file created now, on the other node, shows up without a reload: in the recent changes and the browser.
        TestCluster.write(cluster.node(1).file("created-during-test.txt"), "hello dashboard");
        wait.until(d -> !d.findElements(By.cssSelector("#events li[data-path='created-during-test.txt']")).isEmpty());
        wait.until(d -> !d.findElements(By.cssSelector("#files tr.file[data-path='created-during-test.txt']")).isEmpty());
        wait.until(d -> {
            String event = d.findElement(By.cssSelector("#events li[data-path='created-during-test.txt']")).getText();
            return event.contains("PUT") && event.contains("created-during-test.txt") && event.contains("node2");
        });

        // The file browser opens directories and shows this node's sync state for a file.
        wait.until(d -> {
            d.findElement(By.cssSelector("#files tr.file[data-path='before'] a")).click();
            return true;
        });
        wait.until(d -> !d.findElements(By.cssSelector("#files tr.file[data-path='before/old.txt']")).isEmpty());
        wait.until(d -> {
            d.findElement(By.cssSelector("#files tr.file[data-path='before/old.txt'] a")).click();
            return true;
        });
        wait.until(d -> d.findElement(By.id("detail")).getText().contains("in sync"));
        assertThat(new File(driver.getCurrentUrl()).getPath()).doesNotContain("token");

        // A file's history: its versions, and "Restore" on the old one makes it current again on every node.
        TestCluster.write(cluster.node(1).file("before/old.txt"), "edited after the page loaded");
        ItSupport.awaitContent(cluster.nodes(), "before/old.txt", "edited after the page loaded", Duration.ofSeconds(30));
        wait.until(d -> {
            d.findElement(By.cssSelector("#files tr.file[data-path='before/old.txt'] a.history-link")).click();
            return true;
        });
        wait.until(d -> d.findElement(By.id("history-path")).getText().equals("before/old.txt")
                && d.findElements(By.cssSelector("#history-versions tr.version")).size() == 2);
        assertThat(driver.findElement(By.cssSelector("#history-versions tr.version")).getText()).contains("current").contains("node2");
        assertThat(driver.findElements(By.cssSelector("#history-versions tr.version:first-child button.restore"))).isEmpty();
        wait.until(d -> {
            d.findElement(By.cssSelector("#history-versions tr.version:nth-child(2) button.restore")).click();
            return true;
        });
        wait.until(d -> d.findElement(By.id("history-result")).getText().contains("restored 1, unchanged 0"));
        ItSupport.awaitContent(cluster.nodes(), "before/old.txt", "there before the page loaded", Duration.ofSeconds(30));
        wait.until(d -> d.findElements(By.cssSelector("#history-versions tr.version")).size() == 3);

        // A deleted file is listed as recently deleted, and its "Restore" brings it back.
        java.nio.file.Files.delete(cluster.node(1).file("created-during-test.txt"));
        ItSupport.awaitGone(cluster.nodes(), "created-during-test.txt", Duration.ofSeconds(30));
        wait.until(d -> d.findElement(By.cssSelector("#trash tr.deleted[data-path='created-during-test.txt']")).getText().contains("node2"));
        wait.until(d -> {
            d.findElement(By.cssSelector("#trash tr.deleted[data-path='created-during-test.txt'] button.restore")).click();
            return true;
        });
        wait.until(d -> d.findElement(By.id("trash-result")).getText().contains("restored 1"));
        ItSupport.awaitContent(cluster.nodes(), "created-during-test.txt", "hello dashboard", Duration.ofSeconds(30));
        wait.until(d -> d.findElements(By.cssSelector("#trash tr.deleted[data-path='created-during-test.txt']")).isEmpty());

        // A directory larger than a page: the first page, then the rest on "More", in path order.
        // (The page polls every second: room for every request from here on in the timing buffer.)
        ((JavascriptExecutor) driver).executeScript("performance.setResourceTimingBufferSize(100000); performance.clearResourceTimings();");
        wait.until(d -> {
            d.findElement(By.cssSelector("#files a.up")).click();
            return true;
        });
        wait.until(d -> {
            d.findElement(By.cssSelector("#files tr.file[data-path='many'] a")).click();
            return true;
        });
        wait.until(d -> d.findElements(By.cssSelector("#files tr.file")).size() == 100
                && d.findElement(By.id("files-more")).isDisplayed());
        driver.findElement(By.id("files-more")).click();
        // Read in one go in the page: it redraws the listing when it polls, and rows found one by one go stale.
        List<String> shown = wait.until(d -> {
            @SuppressWarnings("unchecked")
            List<String> paths = (List<String>) ((JavascriptExecutor) d).executeScript(
                    "return Array.from(document.querySelectorAll('#files tr.file'), r => r.getAttribute('data-path'));");
            return paths.size() == MANY ? paths : null;
        });
        assertThat(shown).isSorted().startsWith("many/f000.txt").endsWith(String.format("many/f%03d.txt", MANY - 1));
        wait.until(d -> !d.findElement(By.id("files-more")).isDisplayed());
        // Every listing the page asked for was a bounded page.
        @SuppressWarnings("unchecked")
        List<String> listings = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                        + ".filter(n => n.includes('/v1/files?') || n.includes('/v1/conflicts'));");
        assertThat(listings).isNotEmpty().allSatisfy(url -> assertThat(url).contains("limit="));
        assertThat(listings).anySatisfy(url -> assertThat(url).contains("after=many%2Ff099.txt"));

        // Signing out ends the session: the page asks again, and the old cookie opens nothing.
        wait.until(d -> d.findElement(By.id("signout")).isDisplayed());
        driver.findElement(By.id("signout")).click();
        wait.until(d -> d.findElement(By.id("signin")).isDisplayed());
        assertThat(AdminHttp.get(cluster.node(0).adminAddress(), "/v1/status",
                "Cookie", session.getName() + "=" + session.getValue()).statusCode()).isEqualTo(401);
        assertThat(driver.getPageSource()).doesNotContain(TOKEN);
    }

    private void signIn(String token) {
        WebElement input = driver.findElement(By.id("signin-token"));
        input.clear();
        input.sendKeys(token);
        driver.findElement(By.id("signin-submit")).click();
    }
}
