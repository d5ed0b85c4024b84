package grantlab_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// grantLab is the issuer and its control plane: JSON over HTTP with the control token.
type grantLab struct {
	issuer, controlToken string
}

var lab grantLab

func (g grantLab) control(t *testing.T, method, path string, body any, answer any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		encoded, _ := json.Marshal(body)
		reader = bytes.NewReader(encoded)
	}
	request, _ := http.NewRequest(method, g.issuer+"/_lab"+path, reader)
	request.Header.Set("Authorization", "Bearer "+g.controlToken)
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	text, _ := io.ReadAll(response.Body)
	if response.StatusCode >= 300 {
		t.Fatalf("%s /_lab%s: %d %s", method, path, response.StatusCode, text)
	}
	if answer != nil {
		if err := json.Unmarshal(text, answer); err != nil {
			t.Fatal(err)
		}
	}
}

// reset leaves only the configuration: no session, token, user, client, scenario, moved clock.
func (g grantLab) reset(t *testing.T) { g.control(t, "POST", "/reset", nil, nil) }

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

// start runs Grant Lab on a free port, in memory, in a process group of its own (npx runs npm,
// a shell, then the server), and waits for its ready line.
func start() (*exec.Cmd, grantLab, error) {
	secret := make([]byte, 24)
	rand.Read(secret)
	token := hex.EncodeToString(secret)
	command := strings.Fields(os.Getenv("GRANT_LAB_COMMAND"))
	if len(command) == 0 {
		command = []string{"npx", "grant-lab"}
	}
	dataDir, err := os.MkdirTemp("", "grant-lab-go-")
	if err != nil {
		return nil, grantLab{}, err
	}
	process := exec.Command(command[0], append(command[1:], "--port", "0", "--storage", "memory", "--data-dir", dataDir)...)
	process.Env = append(os.Environ(), "GRANT_LAB_CONTROL_TOKEN="+token, "LOG_LEVEL=warn")
	process.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	output, _ := process.StdoutPipe()
	process.Stderr = os.Stderr
	if err := process.Start(); err != nil {
		return nil, grantLab{}, err
	}
	lines := make(chan string)
	go func() {
		scanner := bufio.NewScanner(output)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, open := <-lines:
			if !open {
				return nil, grantLab{}, fmt.Errorf("grant lab exited before it was ready")
			}
			if strings.HasPrefix(line, "Grant Lab ready at ") {
				go func() {
					for range lines {
					}
				}()
				return process, grantLab{issuer: strings.Fields(line)[4], controlToken: token}, nil
			}
		case <-deadline:
			syscall.Kill(-process.Process.Pid, syscall.SIGKILL)
			return nil, grantLab{}, fmt.Errorf("grant lab was not ready within 30 s")
		}
	}
}

func TestMain(m *testing.M) {
	if issuer := os.Getenv("GRANT_LAB_ISSUER"); issuer != "" {
		lab = grantLab{issuer: issuer, controlToken: os.Getenv("GRANT_LAB_CONTROL_TOKEN")}
		os.Exit(m.Run())
	}
	process, started, err := start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lab = started
	code := m.Run()
	syscall.Kill(-process.Process.Pid, syscall.SIGTERM)
	process.Wait()
	os.Exit(code)
}
