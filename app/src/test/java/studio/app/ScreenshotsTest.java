package studio.app;

import javafx.stage.Stage;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.text.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.theme.Themes;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window at 1280x720 and 1600x1000, light and dark, with 2, 4 and 8 pipeline stages: nothing the studio writes is
 * cut to "...", and the screenshots of the README come from here ({@code target/screenshots}).
 */
class ScreenshotsTest extends StudioWindow {
    @Start
    void start(Stage stage) {
        startWindow(stage);
    }

    @AfterAll
    static void lightAgain() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> Themes.apply(Themes.Choice.LIGHT)).get(10, TimeUnit.SECONDS);
    }

    private void shot(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        var image = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", shots.resolve(name + ".png").toFile());
    }

    /** Texts the studio draws that JavaFX had to cut ("..."), in the window's toolbar, pipeline bar and headline. */
    private List<String> cut(Node under) {
        List<String> out = new ArrayList<>();
        for (Node n : under.lookupAll(".text")) {
            if (n instanceof Text t && n.isVisible() && t.getText() != null && (t.getText().endsWith("...") || t.getText().endsWith("\u2026"))) {
                out.add(t.getText());
            }
        }
        return out;
    }

    @Test
    void bothSizesBothThemesAndManyStagesReadInFull(FxRobot robot) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        for (String theme : List.of("light", "dark")) {
            WaitForAsyncUtils.asyncFx(() -> Themes.apply(theme.equals("dark") ? Themes.Choice.DARK : Themes.Choice.LIGHT)).get(10, TimeUnit.SECONDS);
            for (int[] size : new int[][] {{1280, 720}, {1600, 1000}}) {
                WaitForAsyncUtils.asyncFx(() -> {
                    // the headless screen is 1600 x 1000: a window that reached past it would overflow its buffer, and
                    // one that grows while shown keeps its old render buffer, so it is shown again at its new size
                    stage.hide();
                    stage.setX(0);
                    stage.setY(0);
                    stage.setWidth(size[0]);
                    stage.setHeight(size[1]);
                    stage.show();
                }).get(10, TimeUnit.SECONDS);
                for (int pp : new int[] {2, 4, 8}) {
                    WaitForAsyncUtils.asyncFx(() -> editor.setPp(pp)).get(10, TimeUnit.SECONDS);
                    WaitForAsyncUtils.waitForFxEvents();
                    Node top = window.root().getTop();
                    List<String> cutTexts = cut(top);
                    cutTexts.addAll(cut(robot.lookup("#pipelineBar").query().getParent()));
                    for (Node header : robot.lookup("#layerTable .column-header").queryAll()) cutTexts.addAll(cut(header));
                    assertTrue(cutTexts.isEmpty(), theme + " " + size[0] + "x" + size[1] + " pp " + pp + ": cut " + cutTexts);
                    if (pp == 4) shot("editor-" + theme + "-" + size[0] + "x" + size[1]);
                }
            }
            WaitForAsyncUtils.asyncFx(() -> {
                stage.hide();
                stage.setX(0);
                stage.setY(0);
                stage.setWidth(1600);
                stage.setHeight(1000);
                stage.show();
                editor.setPp(2);
                window.tabs().getSelectionModel().select(5);
            }).get(10, TimeUnit.SECONDS);
            shot("timeline-" + theme);
            WaitForAsyncUtils.asyncFx(() -> window.tabs().getSelectionModel().select(0)).get(10, TimeUnit.SECONDS);
        }
        assertTrue(window.timelineView().timeline() != null && window.timelineView().timeline().makespanMs() > 0);
    }
}
