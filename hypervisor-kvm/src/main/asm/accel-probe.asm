; Kiln's accelerator probe: a 512-byte boot sector that does what a Linux kernel does first
; (real mode -> PAE paging -> long mode), then writes 64 MiB of memory through the page tables,
; reporting each milestone on COM1. A KVM that cannot run Linux (nested, PVM, missing MSRs)
; fails or crawls here, which is what `kiln doctor` and accelerator=auto look for.
; Assemble: nasm -f bin -o accel-probe.bin accel-probe.asm (the bytes are embedded in
; AcceleratorProbeImage.java; this file is their source).
bits 16
org 0x7c00
start:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  mov si, msg_real
  call print16
  ; page tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD: 64 x 2 MiB = 128 MiB identity)
  mov di, 0x1000
  mov cx, 0x1800
  xor ax, ax
  rep stosw
  mov dword [0x1000], 0x2003
  mov dword [0x2000], 0x3003
  mov di, 0x3000
  mov eax, 0x83
  mov cx, 64
.pd:
  mov [di], eax
  add eax, 0x200000
  add di, 8
  loop .pd
  mov eax, cr4
  or eax, 1 << 5
  mov cr4, eax
  mov eax, 0x1000
  mov cr3, eax
  mov ecx, 0xC0000080
  rdmsr
  or eax, 1 << 8
  wrmsr
  lgdt [gdt_desc]
  mov eax, cr0
  or eax, 0x80000001
  mov cr0, eax
  jmp 0x08:long_mode

print16:
  mov dx, 0x3f8
.next:
  lodsb
  test al, al
  jz .done
  out dx, al
  jmp .next
.done:
  ret

bits 64
long_mode:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov rsi, msg_long
  call print64
  ; write 64 MiB starting at 16 MiB, then read it back summing
  mov rdi, 0x1000000
  mov rcx, 0x800000
  mov rax, 0x4b494c4e4b494c4e
  rep stosq
  mov rsi, 0x1000000
  mov rcx, 0x800000
  xor rbx, rbx
.sum:
  add rbx, [rsi]
  add rsi, 8
  dec rcx
  jnz .sum
  mov rsi, msg_done
  call print64
.halt:
  hlt
  jmp .halt

print64:
  mov dx, 0x3f8
.next:
  lodsb
  test al, al
  jz .done
  out dx, al
  jmp .next
.done:
  ret

align 8
gdt:
  dq 0
  dq 0x00209A0000000000
  dq 0x0000920000000000
gdt_end:
gdt_desc:
  dw gdt_end - gdt - 1
  dd gdt

msg_real: db "KILN-PROBE real-mode", 13, 10, 0
msg_long: db "KILN-PROBE long-mode", 13, 10, 0
msg_done: db "KILN-PROBE done", 13, 10, 0

times 510 - ($ - $$) db 0
dw 0xaa55
